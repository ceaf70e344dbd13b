package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The Kubernetes manifest sets only variables the server reads, probes the
// unauthenticated health routes, and gives a sync time to finish.
func TestKubernetesManifest(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "kubernetes", "server.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var usage bytes.Buffer
	if err := run(t.Context(), []string{"-h"}, func(string) string { return "" }, &usage, nil); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	known := usage.String() + " BATON_SERVER_TOKEN BATON_SERVER_WEBHOOK_SECRET"
	type probe struct {
		HTTPGet struct {
			Path string `yaml:"path"`
			Port string `yaml:"port"`
		} `yaml:"httpGet"`
	}
	type doc struct {
		Kind       string            `yaml:"kind"`
		StringData map[string]string `yaml:"stringData"`
		Spec       struct {
			Template struct {
				Spec struct {
					Grace      int `yaml:"terminationGracePeriodSeconds"`
					Containers []struct {
						Env []struct {
							Name  string `yaml:"name"`
							Value string `yaml:"value"`
						} `yaml:"env"`
						Ports []struct {
							Name string `yaml:"name"`
						} `yaml:"ports"`
						Liveness  probe `yaml:"livenessProbe"`
						Readiness probe `yaml:"readinessProbe"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	var names []string
	var dep *doc
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var d doc
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		for k := range d.StringData {
			names = append(names, k)
		}
		if d.Kind == "Deployment" {
			dep = &d
		}
	}
	if dep == nil || len(dep.Spec.Template.Spec.Containers) != 1 {
		t.Fatal("no Deployment with one container")
	}
	c := dep.Spec.Template.Spec.Containers[0]
	var grace time.Duration
	drain := 10 * time.Second // the default of --server-drain-timeout
	for _, e := range c.Env {
		names = append(names, e.Name)
		switch e.Name {
		case "BATON_SERVER_SHUTDOWN_GRACE":
			grace, _ = time.ParseDuration(e.Value)
		case "BATON_SERVER_DRAIN_TIMEOUT":
			drain, _ = time.ParseDuration(e.Value)
		}
	}
	for _, n := range names {
		if !strings.Contains(known, "("+n+")") && !strings.Contains(known, " "+n) {
			t.Errorf("the manifest sets %s, which the server does not read", n)
		}
	}
	if c.Liveness.HTTPGet.Path != "/healthz" || c.Readiness.HTTPGet.Path != "/readyz" ||
		c.Liveness.HTTPGet.Port != c.Ports[0].Name || c.Readiness.HTTPGet.Port != c.Ports[0].Name {
		t.Errorf("probes %+v %+v", c.Liveness, c.Readiness)
	}
	// The kubelet kills the pod terminationGracePeriodSeconds after SIGTERM:
	// the sync's grace, the drain of in-flight requests and a margin for
	// cancelling the sync and exiting must fit.
	const margin = 15 * time.Second
	if grace <= 0 || drain <= 0 || time.Duration(dep.Spec.Template.Spec.Grace)*time.Second < grace+drain+margin {
		t.Errorf("terminationGracePeriodSeconds %d < BATON_SERVER_SHUTDOWN_GRACE %v + drain %v + margin %v",
			dep.Spec.Template.Spec.Grace, grace, drain, margin)
	}
}
