package tfschema

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The fixtures in testdata are cut from the npm packages: each
// lib/DIR/index.ts is the TypeScript source that the package's
// lib/DIR/index.js holds in its inline source map, whole, except
// lib/provider/index.ts of google, cut to a few attributes and the batching
// block (lines of other attributes removed, blank lines squeezed, nothing
// edited); package.json keeps the fields read. compile writes them as the
// package ships them, an index.js with the source map.
func compile(t *testing.T, name string) *Package {
	t.Helper()
	src := filepath.Join("testdata", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(rel, ".ts") {
			rel = strings.TrimSuffix(rel, ".ts") + ".js"
			m, err := json.Marshal(map[string]any{"version": 3, "sources": []string{"index.ts"}, "sourcesContent": []string{string(b)}})
			if err != nil {
				return err
			}
			b = []byte("\"use strict\";\n// (compiled code left out of the fixture)\n" + sourceMapPrefix + base64.StdEncoding.EncodeToString(m) + "\n")
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := OpenPackage(dst)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func attrs(kv ...any) map[string]*Attribute {
	m := map[string]*Attribute{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(*Attribute)
	}
	return m
}

func req(t Type) *Attribute  { return &Attribute{Type: t, Required: true} }
func opt(t Type) *Attribute  { return &Attribute{Type: t, Optional: true} }
func comp(t Type) *Attribute { return &Attribute{Type: t, Computed: true} }
func optComp(t Type) *Attribute {
	return &Attribute{Type: t, Optional: true, Computed: true}
}

// The schema expected is written from the provider's documentation of
// each type (registry docs of google 6.50.0 and archive 2.7.1), not from
// the extractor's output.
func TestExtract(t *testing.T) {
	t.Parallel()
	noBlocks := map[string]*NestedBlock{}
	tests := []struct {
		pkg               string
		resources, data   []string
		want              *Provider
		wantSource, wantV string
	}{{
		pkg:       "google",
		resources: []string{"google_project_service"},
		data:      []string{"google_project", "google_monitoring_uptime_check_ips", "google_cloud_identity_group_lookup"},
		want: &Provider{
			Source: "registry.terraform.io/hashicorp/google", Version: "6.50.0",
			// alias is a meta-argument, not in the schema. A provider's
			// block has no maximum in the bindings.
			Provider: &Schema{Block: &Block{
				Attributes: attrs("project", opt(String), "region", opt(String)),
				BlockTypes: map[string]*NestedBlock{"batching": {NestingMode: "list", Block: &Block{
					Attributes: attrs("enable_batching", opt(Bool), "send_after", opt(String)), BlockTypes: noBlocks,
				}}},
			}},
			ResourceSchemas: map[string]*Schema{"google_project_service": {Block: &Block{
				Attributes: attrs(
					"disable_dependent_services", opt(Bool), "disable_on_destroy", opt(Bool),
					"id", optComp(String), "project", optComp(String), "service", req(String),
				),
				// timeouts is a single block: no item counts.
				BlockTypes: map[string]*NestedBlock{"timeouts": {NestingMode: "single", Block: &Block{
					Attributes: attrs("create", opt(String), "delete", opt(String), "read", opt(String), "update", opt(String)),
					BlockTypes: noBlocks,
				}}},
			}}},
			DataSourceSchemas: map[string]*Schema{
				"google_project": {Block: &Block{
					Attributes: attrs(
						"auto_create_network", comp(Bool), "billing_account", comp(String), "deletion_policy", comp(String),
						"effective_labels", comp(MapOf(String)), "folder_id", comp(String), "id", optComp(String),
						"labels", comp(MapOf(String)), "name", comp(String), "number", comp(String), "org_id", comp(String),
						"project_id", opt(String), "tags", comp(MapOf(String)), "terraform_labels", comp(MapOf(String)),
					),
					BlockTypes: noBlocks,
				}},
				// A computed block is an attribute: a list of objects.
				"google_monitoring_uptime_check_ips": {Block: &Block{
					Attributes: attrs(
						"id", optComp(String),
						"uptime_check_ips", comp(ListOf(ObjectOf(map[string]Type{"ip_address": String, "location": String, "region": String}))),
					),
					BlockTypes: noBlocks,
				}},
				// A required block of at most one item.
				"google_cloud_identity_group_lookup": {Block: &Block{
					Attributes: attrs("id", optComp(String), "name", comp(String)),
					BlockTypes: map[string]*NestedBlock{"group_key": {NestingMode: "list", MinItems: 1, MaxItems: 1, Block: &Block{
						Attributes: attrs("id", req(String), "namespace", opt(String)), BlockTypes: noBlocks,
					}}},
				}},
			},
		},
	}, {
		pkg:  "archive",
		data: []string{"archive_file"},
		want: &Provider{
			Source: "registry.terraform.io/hashicorp/archive", Version: "2.7.1",
			Provider:        &Schema{Block: &Block{Attributes: attrs(), BlockTypes: noBlocks}},
			ResourceSchemas: map[string]*Schema{},
			DataSourceSchemas: map[string]*Schema{"archive_file": {Block: &Block{
				Attributes: attrs(
					"exclude_symlink_directories", opt(Bool), "excludes", opt(SetOf(String)), "id", comp(String),
					"output_base64sha256", comp(String), "output_base64sha512", comp(String), "output_file_mode", opt(String),
					"output_md5", comp(String), "output_path", req(String), "output_sha", comp(String),
					"output_sha256", comp(String), "output_sha512", comp(String), "output_size", comp(Number),
					"source_content", opt(String), "source_content_filename", opt(String), "source_dir", opt(String),
					"source_file", opt(String), "type", req(String),
				),
				// A set block without bounds.
				BlockTypes: map[string]*NestedBlock{"source": {NestingMode: "set", Block: &Block{
					Attributes: attrs("content", req(String), "filename", req(String)), BlockTypes: noBlocks,
				}}},
			}}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			t.Parallel()
			got, err := compile(t, tt.pkg).Extract(tt.resources, tt.data)
			if err != nil {
				t.Fatalf("Extract(%q, %q) = %v", tt.resources, tt.data, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Extract(%q, %q): (-want +got)\n%s", tt.resources, tt.data, diff)
			}
		})
	}
}

// cdktf moves the structs of its largest types (google_container_cluster)
// to index-structs/: the schema is the same as from one file.
func TestExtractSplitStructs(t *testing.T) {
	t.Parallel()
	p := compile(t, "google")
	const name = "google_monitoring_uptime_check_ips"
	want, err := p.Extract(nil, []string{name})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(p.Dir, "lib", "data-google-monitoring-uptime-check-ips")
	src, err := readSource(filepath.Join(dir, "index.js"))
	if err != nil {
		t.Fatal(err)
	}
	top := strings.Index(src, "export class DataGoogleMonitoringUptimeCheckIps extends")
	structs := strings.Index(src, "export interface DataGoogleMonitoringUptimeCheckIpsUptimeCheckIps ")
	if top < 0 || structs < 0 || structs > top {
		t.Fatalf("fixture: no structs before the top class")
	}
	write := func(path, ts string) {
		m, err := json.Marshal(map[string]any{"version": 3, "sourcesContent": []string{ts}})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(sourceMapPrefix+base64.StdEncoding.EncodeToString(m)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "index.js"), src[:structs]+src[top:])
	write(filepath.Join(dir, "index-structs", "structs0.js"), src[structs:top])
	got, err := p.Extract(nil, []string{name})
	if err != nil {
		t.Fatalf("Extract(%s) split = %v", name, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Extract(%s) split: (-one file +split)\n%s", name, diff)
	}
}

// A type the bindings do not have is an error, not an empty schema that
// would let tofu say "unsupported resource type" for the wrong reason.
func TestExtractUnknownType(t *testing.T) {
	t.Parallel()
	p := compile(t, "google")
	for _, tt := range []struct{ resources, data []string }{
		{resources: []string{"google_no_such_thing"}},
		{data: []string{"google_no_such_thing"}},
		// lib/project-service binds a resource, not a data source.
		{data: []string{"google_project_service"}},
	} {
		if _, err := p.Extract(tt.resources, tt.data); !errors.Is(err, ErrNotInPackage) {
			t.Errorf("Extract(%q, %q) = %v, want ErrNotInPackage", tt.resources, tt.data, err)
		}
	}
}

// The schema goes through JSON to the plugin process unchanged.
func TestTypeJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		t    Type
		json string
	}{
		{String, `"string"`},
		{SetOf(Number), `["set","number"]`},
		{MapOf(Bool), `["map","bool"]`},
		{ListOf(ObjectOf(map[string]Type{"a": String, "b": ListOf(String)})), `["list",["object",{"a":"string","b":["list","string"]}]]`},
	} {
		b, err := json.Marshal(tt.t)
		if err != nil || string(b) != tt.json {
			t.Errorf("json.Marshal(%s) = %s, %v, want %s", tt.t, b, err, tt.json)
		}
		var back Type
		if err := json.Unmarshal([]byte(tt.json), &back); err != nil {
			t.Fatalf("json.Unmarshal(%s) = %v", tt.json, err)
		}
		if diff := cmp.Diff(tt.t, back); diff != "" {
			t.Errorf("json.Unmarshal(%s): (-want +got)\n%s", tt.json, diff)
		}
	}
	for _, bad := range []string{`"dynamic"`, `["tuple",["string"]]`, `["list"]`, `3`} {
		var ty Type
		if err := json.Unmarshal([]byte(bad), &ty); err == nil {
			t.Errorf("json.Unmarshal(%s) = %s, want an error", bad, ty)
		}
	}
}

// Each shape in which cdktf declares an attribute maps to its type; the
// declarations are written as cdktf writes them.
func TestAttrType(t *testing.T) {
	t.Parallel()
	f := &file{classes: map[string]*class{}}
	for _, tt := range []struct {
		decl string
		kind string // the HCL writer's, for arrays
		want Type
	}{
		{"  private _name?: string; ", "simple", String},
		{"  private _n?: number; ", "simple", Number},
		{"  private _b?: boolean | cdktf.IResolvable; ", "simple", Bool},
		{"  private _members?: string[]; ", "set", SetOf(String)},
		{"  private _ports?: number[]; ", "list", ListOf(Number)},
		{"  private _labels?: { [key: string]: string }; ", "map", MapOf(String)},
		{`  private _effectiveLabels = new cdktf.StringMap(this, "effective_labels");`, "", MapOf(String)},
		{`  private _details = new cdktf.StringMapList(this, "details", false);`, "", ListOf(MapOf(String))},
		{"    return this.getStringAttribute('uri');", "", String},
		{"    return cdktf.Fn.tolist(this.getListAttribute('members'));", "", SetOf(String)},
		{"    return this.getListAttribute('ids');", "", ListOf(String)},
		{"    return this.getNumberAttribute('size');", "", Number},
	} {
		a := attr{name: "x", computed: true, decl: []string{tt.decl}}
		got, err := f.attrType(&class{name: "C"}, a, hclEntry{kind: tt.kind})
		if err != nil || got.String() != tt.want.String() {
			t.Errorf("attrType(%q) = %s, %v, want %s", tt.decl, got, err, tt.want)
		}
	}
	for _, decl := range []string{"  private _x?: cdktf.IResolvable; ", `  private _x = new cdktf.AnyMap(this, "x");`, "    return this.interpolationForAttribute('x');"} {
		if got, err := f.attrType(&class{name: "C"}, attr{name: "x", decl: []string{decl}}, hclEntry{}); err == nil {
			t.Errorf("attrType(%q) = %s, want an error, not a guess", decl, got)
		}
	}
}
