package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/conductorone/baton-sdk/pkg/field"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// The Kubernetes example keeps baton-jira's Secret names, and every BATON_*
// variable it sets is one the binary reads.
func TestKubernetesExample(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "kubernetes", "baton-jira.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type envVar struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	}
	type doc struct {
		Kind       string            `yaml:"kind"`
		StringData map[string]string `yaml:"stringData"`
		Spec       struct {
			Replicas int `yaml:"replicas"`
			Template struct {
				Spec struct {
					Containers []struct {
						EnvFrom []struct {
							SecretRef struct {
								Name string `yaml:"name"`
							} `yaml:"secretRef"`
						} `yaml:"envFrom"`
						Env []envVar `yaml:"env"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
	}
	var docs []doc
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var d doc
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	var secret, deploy *doc
	for i := range docs {
		switch docs[i].Kind {
		case "Secret":
			secret = &docs[i]
		case "Deployment":
			deploy = &docs[i]
		}
	}
	if secret == nil || deploy == nil {
		t.Fatalf("want a Secret and a Deployment, got %d documents", len(docs))
	}

	var keys []string
	for k := range secret.StringData {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"BATON_ATLASSIAN_API_TOKEN", "BATON_ATLASSIAN_ORGID", "BATON_CLIENT_ID", "BATON_CLIENT_SECRET",
		"BATON_JIRA_API_TOKEN", "BATON_JIRA_EMAIL", "BATON_JIRA_URL"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("Secret keys (-want +got):\n%s", diff)
	}

	if deploy.Spec.Replicas != 1 || len(deploy.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("want one replica with one container")
	}
	c := deploy.Spec.Template.Spec.Containers[0]
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != secret.Metadata.Name {
		t.Errorf("the container does not take its environment from the Secret %q", secret.Metadata.Name)
	}
	known := map[string]bool{}
	for _, f := range append(slices.Clone(field.DefaultFields), Configuration.Fields...) {
		known["BATON_"+strings.ReplaceAll(strings.ToUpper(f.FieldName), "-", "_")] = true
	}
	names := slices.Clone(keys)
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	for _, n := range names {
		if !known[n] {
			t.Errorf("%s is not a setting of baton-jira", n)
		}
	}
}
