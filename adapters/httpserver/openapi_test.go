package httpserver

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// TestOpenAPIDocumentsEveryRoute checks docs/openapi.yaml against the
// routes the server registers (with the webhook route on), both ways.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	var documented, open []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			key := strings.ToUpper(method) + " " + path
			documented = append(documented, key)
			if m, ok := op.(map[string]any); ok {
				if sec, ok := m["security"].([]any); ok && len(sec) == 0 {
					open = append(open, key)
				}
			}
		}
	}
	cc, _ := fakeConfig(t)
	s, err := New(Config{Connector: cc, DataDir: t.TempDir(), Tokens: []string{testToken}, WebhookSecret: "webhook-secret-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	var served, noToken []string
	for _, r := range s.routes() {
		served = append(served, r.pattern)
		if r.auth != authToken {
			noToken = append(noToken, r.pattern)
		}
	}
	slices.Sort(open)
	slices.Sort(noToken)
	if diff := cmp.Diff(noToken, open); diff != "" {
		t.Errorf("routes without a bearer token (-served +documented with security: []):\n%s", diff)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if diff := cmp.Diff(served, documented); diff != "" {
		t.Errorf("routes (-served +documented):\n%s", diff)
	}
}

// loadOpenAPI reads docs/openapi.yaml as generic YAML.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	return doc
}

// resolve follows a local JSON pointer ("#/components/schemas/X").
func resolve(doc map[string]any, ref string) (any, bool) {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(p, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref follows $ref until a node without one.
func deref(t *testing.T, doc map[string]any, node any) map[string]any {
	t.Helper()
	for range 10 {
		m, ok := node.(map[string]any)
		if !ok {
			t.Fatalf("not an object: %v", node)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		if node, ok = resolve(doc, ref); !ok {
			t.Fatalf("$ref %s does not resolve", ref)
		}
	}
	t.Fatal("$ref loop")
	return nil
}

// TestOpenAPIStructure checks docs/openapi.yaml as an OpenAPI 3.0
// document: version, info, paths with operations and responses, every
// path parameter declared, and every $ref a local pointer that resolves.
func TestOpenAPIStructure(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Errorf("openapi: %q, want 3.0.x", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Errorf("info needs title and version: %v", info)
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("no paths")
	}
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	for path, item := range paths {
		if !strings.HasPrefix(path, "/") {
			t.Errorf("path %q does not start with /", path)
		}
		pi := deref(t, doc, item)
		params := func(list any) map[string]bool {
			out := map[string]bool{}
			l, _ := list.([]any)
			for _, p := range l {
				pm := deref(t, doc, p)
				if pm["in"] == "path" {
					out[pm["name"].(string)] = true
					if pm["required"] != true {
						t.Errorf("%s: path parameter %v is not required", path, pm["name"])
					}
				}
			}
			return out
		}
		common := params(pi["parameters"])
		for key, op := range pi {
			if key == "parameters" || key == "summary" || key == "description" {
				continue
			}
			if !slices.Contains(methods, key) {
				t.Errorf("%s: unknown key %q", path, key)
				continue
			}
			om := deref(t, doc, op)
			declared := params(om["parameters"])
			for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1) {
				if !common[m[1]] && !declared[m[1]] {
					t.Errorf("%s %s: path parameter {%s} is not declared", key, path, m[1])
				}
			}
			resps, _ := om["responses"].(map[string]any)
			if len(resps) == 0 {
				t.Errorf("%s %s: no responses", key, path)
			}
			for code, r := range resps {
				if code != "default" && !regexp.MustCompile(`^[1-5]([0-9]{2}|XX)$`).MatchString(code) {
					t.Errorf("%s %s: response code %q", key, path, code)
				}
				if rm := deref(t, doc, r); rm["description"] == nil {
					t.Errorf("%s %s %s: a response needs a description", key, path, code)
				}
			}
		}
	}
	// Every $ref anywhere is local and resolves.
	var refs int
	var walk func(node any, at string)
	walk = func(node any, at string) {
		switch n := node.(type) {
		case map[string]any:
			for k, v := range n {
				if k == "$ref" {
					refs++
					s, _ := v.(string)
					if _, ok := resolve(doc, s); !ok {
						t.Errorf("%s: $ref %q does not resolve", at, v)
					}
					continue
				}
				walk(v, at+"/"+k)
			}
		case []any:
			for i, v := range n {
				walk(v, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "#")
	if refs == 0 {
		t.Error("no $ref found: the walk is broken")
	}
}

// jsonProps lists the JSON property names of a struct type, with the
// type of each (embedded structs without a tag are flattened, as
// encoding/json does).
func jsonProps(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			maps.Copy(out, jsonProps(ft))
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// schemaProps lists the property schemas of an object schema (allOf merged).
func schemaProps(t *testing.T, doc map[string]any, node any) map[string]any {
	m := deref(t, doc, node)
	out := map[string]any{}
	if all, ok := m["allOf"].([]any); ok {
		for _, sub := range all {
			maps.Copy(out, schemaProps(t, doc, sub))
		}
	}
	if props, ok := m["properties"].(map[string]any); ok {
		maps.Copy(out, props)
	}
	return out
}

// compareSchema checks that the schema lists exactly the JSON properties
// of the Go type, recursing into nested structs, slices and maps.
func compareSchema(t *testing.T, doc map[string]any, where string, typ reflect.Type, node any) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ == reflect.TypeFor[time.Time]() || typ.Implements(reflect.TypeFor[json.Marshaler]()) {
		return
	}
	m := deref(t, doc, node)
	switch typ.Kind() {
	case reflect.Slice, reflect.Array:
		if m["type"] != "array" {
			t.Errorf("%s: Go %v, schema type %v", where, typ, m["type"])
			return
		}
		compareSchema(t, doc, where+"[]", typ.Elem(), m["items"])
	case reflect.Map:
		if m["type"] != "object" || m["additionalProperties"] == nil {
			t.Errorf("%s: Go %v, schema needs type object with additionalProperties", where, typ)
			return
		}
		compareSchema(t, doc, where+"{}", typ.Elem(), m["additionalProperties"])
	case reflect.Struct:
		goProps := jsonProps(typ)
		docProps := schemaProps(t, doc, m)
		var goNames, docNames []string
		for k := range goProps {
			goNames = append(goNames, k)
		}
		for k := range docProps {
			docNames = append(docNames, k)
		}
		slices.Sort(goNames)
		slices.Sort(docNames)
		if diff := cmp.Diff(goNames, docNames); diff != "" {
			t.Errorf("%s (%v): properties (-Go json tags +docs/openapi.yaml):\n%s", where, typ, diff)
			return
		}
		for k, ft := range goProps {
			compareSchema(t, doc, where+"."+k, ft, docProps[k])
		}
	}
}

// TestOpenAPISchemasMatchTypes checks that the schemas of the main JSON
// bodies list the same properties as the Go types' json tags.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	type listSyncs struct { // handleListSyncs's anonymous answer
		Syncs []SyncStatus `json:"syncs"`
	}
	for _, c := range []struct {
		op, code string // code "" is the request body
		v        any
	}{
		{"POST /v1/syncs", "", startRequest{}},
		{"POST /v1/syncs", "202", StartResponse{}},
		{"GET /v1/syncs", "200", listSyncs{}},
		{"GET /v1/syncs/{id}", "200", SyncStatus{}},
		{"GET /v1/syncs/{id}", "404", apiError{}},
		{"DELETE /v1/syncs/{id}", "200", SyncStatus{}},
		{"GET /v1/users/{user}/access", "200", AccessAnswer{}},
		{"GET /v1/groups/{group}/members", "200", HoldersAnswer{}},
		{"GET /v1/entitlements/{entitlement}/holders", "200", HoldersAnswer{}},
		{"POST /v1/grants", "", GrantRequest{}},
		{"POST /v1/grants", "200", GrantResponse{}},
		{"DELETE /v1/grants/{grant}", "200", GrantResponse{}},
		{"POST /v1/accounts", "", AccountRequest{}},
		{"POST /v1/accounts", "201", AccountResponse{}},
		{"DELETE /v1/users/{user}", "200", DeprovisionResponse{}},
		{"POST /v1/webhooks/jira", "202", WebhookAnswer{}},
	} {
		method, path, _ := strings.Cut(c.op, " ")
		op, ok := resolve(doc, "#/paths/"+strings.ReplaceAll(path, "/", "~1")+"/"+strings.ToLower(method))
		if !ok {
			t.Errorf("%s: not documented", c.op)
			continue
		}
		var body any
		if c.code == "" {
			body = deref(t, doc, op.(map[string]any)["requestBody"])
		} else {
			resps, _ := op.(map[string]any)["responses"].(map[string]any)
			body = resps[c.code]
			if body == nil {
				t.Errorf("%s: no %s response", c.op, c.code)
				continue
			}
		}
		content, _ := deref(t, doc, body)["content"].(map[string]any)
		media, _ := content["application/json"].(map[string]any)
		if media == nil || media["schema"] == nil {
			t.Errorf("%s %s: no application/json schema", c.op, c.code)
			continue
		}
		compareSchema(t, doc, c.op+" "+c.code, reflect.TypeOf(c.v), media["schema"])
	}
}
