package terraform_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyfunction "github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"go.yaml.in/yaml/v3"

	"github.com/safeview/safeview/shared/config"
)

// module is one directory of .tf files, parsed, with what it declares.
type module struct {
	dir        string
	files      map[string]*hclsyntax.Body // by file name
	variables  map[string]*hclsyntax.Block
	outputs    map[string]*hclsyntax.Block
	locals     map[string]bool
	localAttrs map[string]*hclsyntax.Attribute
	resources  map[string]*hclsyntax.Block // "type.name"
	data       map[string]bool             // "type.name"
	modules    map[string]*hclsyntax.Block
}

// moduleDirs are the directories of .tf files under this one.
func moduleDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform" || d.Name() == ".build") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".tf") && !slices.Contains(dirs, filepath.Dir(path)) {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(dirs, ".") || !slices.Contains(dirs, filepath.Join("examples", "basic")) {
		t.Fatalf("module directories = %q, want . and examples/basic", dirs)
	}
	return dirs
}

func loadModule(t *testing.T, dir string) *module {
	t.Helper()
	m := &module{
		dir:        dir,
		files:      map[string]*hclsyntax.Body{},
		variables:  map[string]*hclsyntax.Block{},
		outputs:    map[string]*hclsyntax.Block{},
		locals:     map[string]bool{},
		localAttrs: map[string]*hclsyntax.Attribute{},
		resources:  map[string]*hclsyntax.Block{},
		data:       map[string]bool{},
		modules:    map[string]*hclsyntax.Block{},
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	p := hclparse.NewParser()
	for _, name := range names {
		f, diags := p.ParseHCLFile(name)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", name, diags)
		}
		body := f.Body.(*hclsyntax.Body)
		m.files[filepath.Base(name)] = body
		for _, b := range body.Blocks {
			switch b.Type {
			case "variable":
				m.variables[b.Labels[0]] = b
			case "output":
				m.outputs[b.Labels[0]] = b
			case "locals":
				for name, a := range b.Body.Attributes {
					if m.locals[name] {
						t.Errorf("%s: local %q declared twice", name, name)
					}
					m.locals[name] = true
					m.localAttrs[name] = a
				}
			case "resource":
				m.resources[b.Labels[0]+"."+b.Labels[1]] = b
			case "data":
				m.data[b.Labels[0]+"."+b.Labels[1]] = true
			case "module":
				m.modules[b.Labels[0]] = b
			}
		}
	}
	return m
}

// literal returns the value of an attribute that must be a constant.
func literal(t *testing.T, attr *hclsyntax.Attribute) cty.Value {
	t.Helper()
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		t.Fatalf("%s: %s must be a constant: %v", attr.SrcRange, attr.Name, diags)
	}
	return v
}

func TestFormat(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(path, ".tf") && !strings.Contains(path, ".tfvars") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if got := hclwrite.Format(src); !bytes.Equal(got, src) {
			t.Errorf("%s is not formatted: run terraform fmt -recursive terraform/", path)
		}
		if _, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos); diags.HasErrors() {
			t.Errorf("%s: %v", path, diags)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVariablesAndOutputs(t *testing.T) {
	t.Parallel()
	for _, dir := range moduleDirs(t) {
		m := loadModule(t, dir)
		var order []string
		if vf, ok := m.files["variables.tf"]; ok {
			for _, b := range vf.Blocks {
				if b.Type == "variable" {
					order = append(order, b.Labels[0])
				}
			}
		}
		if !slices.IsSorted(order) {
			t.Errorf("%s/variables.tf: variables are not in alphabetical order: %q", dir, order)
		}
		for name, b := range m.variables {
			where := b.DefRange().String()
			if !slices.Contains(order, name) {
				t.Errorf("%s: variable %q is not in variables.tf", where, name)
			}
			if _, ok := b.Body.Attributes["type"]; !ok {
				t.Errorf("%s: variable %q has no type", where, name)
			}
			checkDescription(t, where, "variable "+name, b)
		}
		for name, b := range m.outputs {
			checkDescription(t, b.DefRange().String(), "output "+name, b)
		}
	}
}

func checkDescription(t *testing.T, where, what string, b *hclsyntax.Block) {
	t.Helper()
	attr, ok := b.Body.Attributes["description"]
	if !ok {
		t.Errorf("%s: %s has no description", where, what)
		return
	}
	v := literal(t, attr)
	if v.Type() != cty.String || !strings.HasSuffix(v.AsString(), ".") {
		t.Errorf("%s: the description of %s must be a sentence ending with a period", where, what)
	}
}

// allowedRoots are the names an expression may start with besides
// var, local, data, module and resource types.
var allowedRoots = []string{"path", "terraform", "each", "count", "self"}

func TestReferencesResolve(t *testing.T) {
	t.Parallel()
	for _, dir := range moduleDirs(t) {
		m := loadModule(t, dir)
		for _, body := range m.files {
			m.checkBody(t, body, "", nil)
		}
	}
}

// checkBody checks the references of every expression in a body of a
// block of type typ; scope holds the iterators of the dynamic blocks
// around it.
func (m *module) checkBody(t *testing.T, body *hclsyntax.Body, typ string, scope []string) {
	t.Helper()
	for _, attr := range body.Attributes {
		if typ == "variable" && attr.Name == "type" {
			continue // a type constraint, not an expression
		}
		if (typ == "removed" || typ == "moved") && attr.Name == "from" {
			continue // what the module no longer declares
		}
		for _, tr := range attr.Expr.Variables() {
			if err := m.resolve(tr, scope); err != "" {
				t.Errorf("%s: %s", tr.SourceRange(), err)
			}
		}
	}
	for _, b := range body.Blocks {
		inner := scope
		if b.Type == "dynamic" {
			it := b.Labels[0]
			if a, ok := b.Body.Attributes["iterator"]; ok {
				it = hcl.ExprAsKeyword(a.Expr)
			}
			inner = append(slices.Clone(scope), it)
		}
		m.checkBody(t, b.Body, b.Type, inner)
	}
}

// resolve returns what is wrong with a reference, or "".
func (m *module) resolve(tr hcl.Traversal, scope []string) string {
	root := tr.RootName()
	attr := func(i int) string {
		if i < len(tr) {
			if a, ok := tr[i].(hcl.TraverseAttr); ok {
				return a.Name
			}
		}
		return ""
	}
	switch {
	case slices.Contains(allowedRoots, root) || slices.Contains(scope, root):
		return ""
	case root == "var":
		if _, ok := m.variables[attr(1)]; !ok {
			return "undeclared variable var." + attr(1)
		}
	case root == "local":
		if !m.locals[attr(1)] {
			return "undeclared local." + attr(1)
		}
	case root == "data":
		if !m.data[attr(1)+"."+attr(2)] {
			return "undeclared data." + attr(1) + "." + attr(2)
		}
	case root == "module":
		if _, ok := m.modules[attr(1)]; !ok {
			return "undeclared module." + attr(1)
		}
	default:
		if _, ok := m.resources[root+"."+attr(1)]; !ok {
			return "undeclared resource " + root + "." + attr(1)
		}
	}
	return ""
}

// secretPatterns are what must never be written in this directory: key
// material, tokens, and ways of putting a secret's value in Terraform.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`whsec_[A-Za-z0-9+/=]{8,}`),                           // Stripe signing secret
	regexp.MustCompile(`\b[sr]k_(live|test)_[A-Za-z0-9]{8,}`),                // Stripe keys
	regexp.MustCompile(`\bshp(ss|at|ca|pa)_[A-Fa-f0-9]{16,}`),                // Shopify secrets and tokens
	regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{30,}`),                           // Google API key
	regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`),                 // PEM keys
	regexp.MustCompile(`"private_key(_id)?"\s*:`),                            // service account key files
	regexp.MustCompile(`\bsecret_data\b`),                                    // a secret value in Terraform state
	regexp.MustCompile(`google_secret_manager_secret_version\b`),             // idem
	regexp.MustCompile(`"[A-Za-z0-9+/]{40,}={0,2}"`),                         // a long base64 literal
	regexp.MustCompile(`"[0-9A-Fa-f]{32,}"`),                                 // a long hex literal
	regexp.MustCompile(`(?i)(secret|password|token|key)\s*=\s*"[^"$]{12,}"`), // an assigned value
}

func TestNoSecretMaterial(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform" || d.Name() == ".build") {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range secretPatterns {
			if loc := re.FindIndex(src); loc != nil {
				line := bytes.Count(src[:loc[0]], []byte("\n")) + 1
				t.Errorf("%s:%d: matches %s: no secret value or key material belongs here", path, line, re)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestExampleCallsTheModule(t *testing.T) {
	t.Parallel()
	root := loadModule(t, ".")
	ex := loadModule(t, filepath.Join("examples", "basic"))
	if len(ex.modules) == 0 {
		t.Fatal("examples/basic calls no module")
	}
	for name, b := range ex.modules {
		src := literal(t, b.Body.Attributes["source"]).AsString()
		if got, _ := filepath.Abs(filepath.Join(ex.dir, src)); got != mustAbs(t, ".") {
			t.Errorf("module %q: source %q is not this module", name, src)
		}
		for arg := range b.Body.Attributes {
			if _, ok := root.variables[arg]; !ok && arg != "source" && arg != "version" {
				t.Errorf("module %q: argument %q is not a variable of the module", name, arg)
			}
		}
		for v, vb := range root.variables {
			if _, hasDefault := vb.Body.Attributes["default"]; !hasDefault {
				if _, given := b.Body.Attributes[v]; !given {
					t.Errorf("module %q: required variable %q is not given", name, v)
				}
			}
		}
	}
	if _, err := os.Stat(filepath.Join(ex.dir, "terraform.tfvars.example")); err != nil {
		t.Error(err)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestKnownTraps checks the mistakes that only show at apply time.
func TestKnownTraps(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")

	// The runtime must match the go line of go.mod: go 1.25.x is go125.
	gomod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)`).FindSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	wantRuntime := "go" + string(goLine[1]) + string(goLine[2])
	fn := m.resources["google_cloudfunctions2_function.main"]
	if fn == nil {
		t.Fatal("no google_cloudfunctions2_function.main")
	}
	build := blocks(fn.Body, "build_config")
	if len(build) != 1 {
		t.Fatal("google_cloudfunctions2_function.main has no build_config")
	}
	if got := literal(t, build[0].Body.Attributes["runtime"]).AsString(); got != wantRuntime {
		t.Errorf("runtime = %q, want %q to match the go line of go.mod", got, wantRuntime)
	}

	for key, b := range m.resources {
		// Cloud Functions IAM rejects roles/run.invoker: public invocation
		// is granted on the Cloud Run service.
		if strings.HasPrefix(key, "google_cloudfunctions2_function_iam_") {
			t.Errorf("%s: grant invocation with google_cloud_run_service_iam_member", key)
		}
		// Provider 7.x: replication { auto {} }.
		if b.Labels[0] == "google_secret_manager_secret" {
			rep := blocks(b.Body, "replication")
			if len(rep) != 1 || len(blocks(rep[0].Body, "auto")) != 1 {
				t.Errorf("%s: want replication { auto {} }", key)
			}
		}
	}
	if _, ok := m.resources["google_cloud_run_service_iam_member.public"]; !ok {
		t.Error("no public invoker on the webhook's Cloud Run service")
	}
}

func blocks(body *hclsyntax.Body, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == typ {
			out = append(out, b)
		}
	}
	return out
}

// TestREADMEListsInputsAndOutputs keeps the tables of README.md in step
// with variables.tf and outputs.tf.
func TestREADMEListsInputsAndOutputs(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	readme := string(mustRead(t, "README.md"))
	for name := range m.variables {
		if !strings.Contains(readme, "| `"+name+"` |") {
			t.Errorf("README.md: no row for the input %q", name)
		}
	}
	for name := range m.outputs {
		if !strings.Contains(readme, "| `"+name+"` |") {
			t.Errorf("README.md: no row for the output %q", name)
		}
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(readme, -1)
	for _, r := range rows {
		_, isVar := m.variables[r[1]]
		_, isOut := m.outputs[r[1]]
		if !isVar && !isOut {
			t.Errorf("README.md documents %q, which is neither an input nor an output", r[1])
		}
	}
}

// TestSecretNamesMatchTheFunction evaluates the locals of main.tf that
// read the secret names from the configuration, as Terraform would, and
// checks that they are the secrets the function looks up: a secret
// Terraform does not create keeps the function from starting.
func TestSecretNamesMatchTheFunction(t *testing.T) {
	t.Parallel()
	example := string(mustRead(t, filepath.Join("..", "functions", "webhook", "safeview.yaml")))
	paired := strings.Replace(example, "    secrets: [lightspeed-ecom-secret]\n",
		"    secrets: [lightspeed-ecom-secret]\n    token: {header: X-Safeview-Token, secrets: [lightspeed-ecom-token]}\n", 1)
	// The example names a pseudonym key; a configuration without one must
	// not make Terraform create it.
	unkeyed := strings.Replace(example, "  pseudonym_key: safeview-pseudonym-key\n", "", 1)
	// A source reading line items names one more secret: its credential.
	items := strings.Replace(example, "    secrets: [stripe-webhook-secret]\n",
		"    secrets: [stripe-webhook-secret]\n    items: {secret: stripe-items-key}\n", 1)
	// An Excel destination that falls back to a client secret.
	secreted := strings.Replace(example, "    excel:\n", "    excel:\n      client_secret: excel-client-secret\n", 1)
	if paired == example || unkeyed == example || items == example || secreted == example {
		t.Fatal("the example configuration changed: update the paired-token variant of this test")
	}
	for name, yml := range map[string]string{"example": example, "paired token": paired, "no pseudonym key": unkeyed, "items": items, "excel client secret": secreted} {
		t.Run(name, func(t *testing.T) {
			cfg, err := config.Parse(name+".yaml", []byte(yml))
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Sorted(slices.Values(cfg.SecretNames()))
			got := terraformSecretNames(t, yml)
			if !cmp.Equal(got, want) {
				t.Errorf("local.secret_names = %q, want config.SecretNames() = %q", got, want)
			}
		})
	}
}

// terraformSecretNames evaluates local.secret_names of main.tf for a
// configuration file, with Terraform's functions and yamldecode's types.
func terraformSecretNames(t *testing.T, yml string) []string {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal([]byte(yml), &doc); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	ty, err := ctyjson.ImpliedType(js)
	if err != nil {
		t.Fatal(err)
	}
	cfgVal, err := ctyjson.Unmarshal(js, ty)
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]*hclsyntax.Attribute{}
	for _, b := range loadModule(t, ".").files["main.tf"].Blocks {
		if b.Type == "locals" {
			maps.Copy(attrs, b.Body.Attributes)
		}
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{},
		Functions: map[string]ctyfunction.Function{
			"compact":  stdlib.CompactFunc,
			"concat":   stdlib.ConcatFunc,
			"distinct": stdlib.DistinctFunc,
			"flatten":  stdlib.FlattenFunc,
			"sort":     stdlib.SortFunc,
			"tostring": stdlib.MakeToFunc(cty.String),
			"try":      tryfunc.TryFunc,
			"values":   stdlib.ValuesFunc,
		},
	}
	local := map[string]cty.Value{"config": cfgVal}
	for _, name := range []string{"config_sources", "pseudonym_key", "excel_secrets", "secret_names"} {
		attr, ok := attrs[name]
		if !ok {
			t.Fatalf("main.tf has no local %q", name)
		}
		ctx.Variables["local"] = cty.ObjectVal(local)
		v, diags := attr.Expr.Value(ctx)
		if diags.HasErrors() {
			t.Fatalf("local.%s: %v", name, diags)
		}
		local[name] = v
	}
	var names []string
	for _, v := range local["secret_names"].AsValueSlice() {
		names = append(names, v.AsString())
	}
	return names
}
