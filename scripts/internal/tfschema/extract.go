package tfschema

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Package is an unpacked npm package of cdktf provider bindings: the
// folder that holds package.json and lib/.
type Package struct {
	Dir string
	// Source and Version are the provider's address and the version the
	// bindings were generated from, as package.json's "cdktf" says.
	Source  string
	Version string
}

// ErrNotInPackage is returned for a resource or data source type the
// bindings do not have.
var ErrNotInPackage = errors.New("not in the package")

// OpenPackage reads the package.json of the bindings in dir.
func OpenPackage(dir string) (*Package, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("open bindings: %w", err)
	}
	var meta struct {
		Name  string
		CDKTF struct {
			Provider struct {
				Name    string
				Version string
			}
		}
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("open bindings: %s: %w", filepath.Join(dir, "package.json"), err)
	}
	p := meta.CDKTF.Provider
	if p.Name == "" || p.Version == "" {
		return nil, fmt.Errorf("open bindings: %s: no cdktf.provider name and version: not cdktf provider bindings", meta.Name)
	}
	return &Package{Dir: dir, Source: p.Name, Version: p.Version}, nil
}

// Name is the provider's type name: "google" for
// registry.terraform.io/hashicorp/google.
func (p *Package) Name() string { return p.Source[strings.LastIndex(p.Source, "/")+1:] }

// Extract returns the schema of the provider's configuration and of the
// resource and data source types named, and nothing else: reading all of
// google's 1,473 bindings takes half a minute, the 21 terraform/ uses a
// second.
func (p *Package) Extract(resources, dataSources []string) (*Provider, error) {
	out := &Provider{Source: p.Source, Version: p.Version, ResourceSchemas: map[string]*Schema{}, DataSourceSchemas: map[string]*Schema{}}
	var err error
	if out.Provider, err = p.schema("provider", "", "TerraformProvider"); err != nil {
		return nil, err
	}
	for _, name := range resources {
		if out.ResourceSchemas[name], err = p.schema(p.libDir(name, false), name, "TerraformResource"); err != nil {
			return nil, err
		}
	}
	for _, name := range dataSources {
		if out.DataSourceSchemas[name], err = p.schema(p.libDir(name, true), name, "TerraformDataSource"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// libDir is the folder of lib/ that cdktf names after a type:
// google_pubsub_topic is pubsub-topic, data google_project is
// data-google-project.
func (p *Package) libDir(name string, data bool) string {
	if data {
		return "data-" + strings.ReplaceAll(name, "_", "-")
	}
	return strings.ReplaceAll(strings.TrimPrefix(name, p.Name()+"_"), "_", "-")
}

// schema reads lib/DIR and checks that its class is the base and type name
// wanted (none for the provider, whose class has no type name).
func (p *Package) schema(dir, name, base string) (*Schema, error) {
	what := name
	if what == "" {
		what = p.Name() + " provider"
	}
	src, err := readSources(filepath.Join(p.Dir, "lib", dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", what, ErrNotInPackage)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	f := parse(src)
	top, ok := f.top(base)
	if !ok {
		return nil, fmt.Errorf("%s: lib/%s: no class extends cdktf.%s", what, dir, base)
	}
	if name != "" && top.typeName != name {
		return nil, fmt.Errorf("%s: lib/%s is of %q: %w", what, dir, top.typeName, ErrNotInPackage)
	}
	b, err := f.block(top, f.hcl[top.name])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if base == "TerraformProvider" {
		// cdktf adds the alias meta-argument to every provider's
		// bindings; Terraform's schema has no such attribute.
		delete(b.Attributes, "alias")
	}
	return &Schema{Block: b}, nil
}

// sourceMapPrefix starts the inline source map of a compiled binding, whose
// sourcesContent is the TypeScript cdktf generated: the only place where
// each attribute's computed, optional and required flags are written down.
const sourceMapPrefix = "//# sourceMappingURL=data:application/json;base64,"

// readSources returns the TypeScript source of the binding in dir: its
// index.js and, for the largest types (google_container_cluster), the
// files of index-structs/ where cdktf moves the structs.
func readSources(dir string) (string, error) {
	src, err := readSource(filepath.Join(dir, "index.js"))
	if err != nil {
		return "", err
	}
	structs, err := filepath.Glob(filepath.Join(dir, "index-structs", "*.js"))
	if err != nil {
		return "", err
	}
	for _, path := range structs {
		more, err := readSource(path)
		if err != nil {
			return "", err
		}
		src += "\n" + more
	}
	return src, nil
}

// readSource returns the TypeScript source of a compiled file.
func readSource(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), sourceMapPrefix)
		if !ok {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			return "", fmt.Errorf("%s: source map: %w", path, err)
		}
		var m struct{ SourcesContent []string }
		if err := json.Unmarshal(raw, &m); err != nil {
			return "", fmt.Errorf("%s: source map: %w", path, err)
		}
		if len(m.SourcesContent) != 1 {
			return "", fmt.Errorf("%s: source map has %d sources, want 1", path, len(m.SourcesContent))
		}
		return m.SourcesContent[0], nil
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return "", fmt.Errorf("%s: no inline source map", path)
}

// file is a parsed binding: its classes, interfaces and, per struct, the
// entries of the function that writes it as HCL (isBlock and list, set or
// struct), by the name of the struct (the top class's own under its name).
type file struct {
	classes    map[string]*class
	interfaces map[string]string // name => body
	hcl        map[string]map[string]hclEntry
}

// class is a class of the binding: the resource (or data source, or
// provider) itself, an XOutputReference of struct X, or an XList.
type class struct {
	name, base, typeName string
	attrs                []attr
	elem                 string // of an XList: the OutputReference its get returns
}

// attr is an attribute of a class, as cdktf comments it
// ("// name - computed: false, optional: true, required: false") and
// declares it on the lines that follow the comment.
type attr struct {
	name                         string
	computed, optional, required bool
	decl                         []string
}

type hclEntry struct {
	isBlock bool
	kind    string // simple, list, set, map, struct
}

var (
	declRe     = regexp.MustCompile(`^export (class|interface|function) (\w+)`)
	classRe    = regexp.MustCompile(`^export class (\w+) extends cdktf\.(\w+) \{`)
	typeNameRe = regexp.MustCompile(`^\s+public static readonly tfResourceType = "(\w+)";`)
	attrRe     = regexp.MustCompile(`^\s+// (\w+) - computed: (true|false), optional: (true|false), required: (true|false)$`)
	getRe      = regexp.MustCompile(`^\s+public get\(index: number\): (\w+)OutputReference \{`)
	hclFuncRe  = regexp.MustCompile(`^export function (\w+)ToHclTerraform\(`)
	hclEntryRe = regexp.MustCompile(`(?m)^\s+(\w+): \{\n\s+value: .*\n\s+isBlock: (true|false),\n\s+type: "(\w+)",`)
)

// parse splits the source into its top-level declarations, each from an
// "export" line to the "}" that closes it at the start of a line.
func parse(src string) *file {
	f := &file{classes: map[string]*class{}, interfaces: map[string]string{}, hcl: map[string]map[string]hclEntry{}}
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		m := declRe.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		start := i
		for i < len(lines) && lines[i] != "}" {
			i++
		}
		body := lines[start:min(i+1, len(lines))]
		switch m[1] {
		case "class":
			c := parseClass(body)
			f.classes[c.name] = c
			if c.typeName != "" || c.base == "TerraformProvider" {
				f.hcl[c.name] = hclEntries(strings.Join(body, "\n"))
			}
		case "interface":
			f.interfaces[m[2]] = strings.Join(body, "\n")
		case "function":
			if h := hclFuncRe.FindStringSubmatch(lines[start]); h != nil {
				f.hcl[upperFirst(h[1])] = hclEntries(strings.Join(body, "\n"))
			}
		}
	}
	return f
}

func parseClass(body []string) *class {
	c := &class{}
	if m := classRe.FindStringSubmatch(body[0]); m != nil {
		c.name, c.base = m[1], m[2]
	} else {
		c.name = declRe.FindStringSubmatch(body[0])[2]
	}
	for i := 1; i < len(body); i++ {
		if m := typeNameRe.FindStringSubmatch(body[i]); m != nil {
			c.typeName = m[1]
		}
		if m := getRe.FindStringSubmatch(body[i]); m != nil {
			c.elem = m[1]
		}
		m := attrRe.FindStringSubmatch(body[i])
		if m == nil {
			continue
		}
		a := attr{name: m[1], computed: m[2] == "true", optional: m[3] == "true", required: m[4] == "true"}
		for i++; i < len(body) && strings.TrimSpace(body[i]) != "" && !attrRe.MatchString(body[i]); i++ {
			a.decl = append(a.decl, body[i])
		}
		i--
		c.attrs = append(c.attrs, a)
	}
	return c
}

func hclEntries(body string) map[string]hclEntry {
	out := map[string]hclEntry{}
	for _, m := range hclEntryRe.FindAllStringSubmatch(body, -1) {
		out[m[1]] = hclEntry{isBlock: m[2] == "true", kind: m[3]}
	}
	return out
}

// top returns the class that extends cdktf.BASE.
func (f *file) top(base string) (*class, bool) {
	for _, c := range f.classes {
		if c.base == base {
			return c, true
		}
	}
	return nil, false
}

var (
	fieldRe  = regexp.MustCompile(`^\s+private _\w+\?: (.+?);\s*$`)
	newRe    = regexp.MustCompile(`^\s+private _\w+ = new ([\w.]+)\(this, "\w+"(?:, (true|false))?\);`)
	returnRe = regexp.MustCompile(`^\s+return (.+);$`)
	arrayRe  = regexp.MustCompile(`^(\w+)\[\] \| cdktf\.IResolvable$`)
)

// block builds the schema block of a class from its attributes, with hcl
// the entries of its struct's HCL writer (nil where it has none).
func (f *file) block(c *class, hcl map[string]hclEntry) (*Block, error) {
	b := &Block{Attributes: map[string]*Attribute{}, BlockTypes: map[string]*NestedBlock{}}
	for _, a := range c.attrs {
		h, inConfig := hcl[a.name]
		if inConfig && h.isBlock {
			nb, err := f.nestedBlock(c, a, h)
			if err != nil {
				return nil, err
			}
			b.BlockTypes[a.name] = nb
			continue
		}
		if !inConfig && (a.optional || a.required) {
			return nil, fmt.Errorf("%s.%s: an argument that %s does not write", c.name, a.name, hclName(c.name))
		}
		t, err := f.attrType(c, a, h)
		if err != nil {
			return nil, err
		}
		b.Attributes[a.name] = &Attribute{Type: t, Required: a.required, Optional: a.optional, Computed: a.computed}
	}
	return b, nil
}

// hclName names the writer of a struct's HCL, for errors.
func hclName(class string) string {
	return strings.TrimSuffix(class, "OutputReference") + "ToHclTerraform"
}

// nestedBlock builds a nested block type: list, set or (for timeouts)
// single; at most one item where cdktf binds it to one OutputReference
// rather than a list of them; at least one where it is required.
func (f *file) nestedBlock(c *class, a attr, h hclEntry) (*NestedBlock, error) {
	nb := &NestedBlock{}
	switch h.kind {
	case "list", "set":
		nb.NestingMode = h.kind
	case "struct":
		nb.NestingMode = "single"
	default:
		return nil, fmt.Errorf("%s.%s: a block of type %q", c.name, a.name, h.kind)
	}
	if a.required && nb.NestingMode != "single" {
		nb.MinItems = 1
	}
	elem, one, err := f.elem(c, a)
	if err != nil {
		return nil, err
	}
	if one && nb.NestingMode != "single" {
		nb.MaxItems = 1
	}
	if ec, ok := f.classes[elem+"OutputReference"]; ok {
		nb.Block, err = f.block(ec, f.hcl[elem])
	} else {
		// A provider's blocks have no OutputReference: their interface
		// says which arguments are required.
		nb.Block, err = f.interfaceBlock(elem)
	}
	return nb, err
}

// elem returns the struct a complex attribute holds, and whether it holds
// one (an OutputReference) rather than a list or set of them.
func (f *file) elem(c *class, a attr) (string, bool, error) {
	for _, line := range a.decl {
		if m := newRe.FindStringSubmatch(line); m != nil {
			ctor := m[1]
			if s, ok := strings.CutSuffix(ctor, "OutputReference"); ok {
				return s, true, nil
			}
			if lc, ok := f.classes[ctor]; ok && lc.elem != "" {
				return lc.elem, false, nil
			}
			return "", false, fmt.Errorf("%s.%s: new %s: not a struct's OutputReference or list", c.name, a.name, ctor)
		}
		if m := fieldRe.FindStringSubmatch(line); m != nil {
			if am := arrayRe.FindStringSubmatch(m[1]); am != nil {
				return am[1], false, nil
			}
		}
	}
	return "", false, fmt.Errorf("%s.%s: no struct in %q", c.name, a.name, a.decl)
}

// interfaceBlock builds a block from a struct's interface, for structs
// without an OutputReference (a provider's): each property's doc link
// ends with its name, and a "?" makes it optional.
func (f *file) interfaceBlock(name string) (*Block, error) {
	body, ok := f.interfaces[name]
	if !ok {
		return nil, fmt.Errorf("struct %s: no OutputReference class and no interface", name)
	}
	hcl := f.hcl[name]
	b := &Block{Attributes: map[string]*Attribute{}, BlockTypes: map[string]*NestedBlock{}}
	for _, m := range propRe.FindAllStringSubmatch(body, -1) {
		a := attr{name: m[1], optional: m[2] == "?", required: m[2] == "", decl: []string{"  private _x?: " + m[3] + ";"}}
		h := hcl[a.name]
		if h.isBlock {
			nb, err := f.nestedBlock(&class{name: name}, a, h)
			if err != nil {
				return nil, err
			}
			b.BlockTypes[a.name] = nb
			continue
		}
		t, err := f.attrType(&class{name: name}, a, h)
		if err != nil {
			return nil, err
		}
		b.Attributes[a.name] = &Attribute{Type: t, Required: a.required, Optional: a.optional}
	}
	return b, nil
}

var propRe = regexp.MustCompile(`(?m)#(\w+) \w+#\w+\}\n(?:.*\n)*?\s+readonly \w+(\??): (.+);$`)

// attrType returns the value type of an attribute (not a block) from its
// declaration: a field of a TypeScript type, a cdktf map or a complex
// object, or for a computed attribute only its getter.
func (f *file) attrType(c *class, a attr, h hclEntry) (Type, error) {
	where := c.name + "." + a.name
	for _, line := range a.decl {
		if m := fieldRe.FindStringSubmatch(line); m != nil {
			return tsType(where, m[1], h.kind)
		}
		if m := newRe.FindStringSubmatch(line); m != nil {
			return f.objectType(c, a, m[1], m[2] == "true")
		}
	}
	for _, line := range a.decl {
		if m := returnRe.FindStringSubmatch(line); m != nil {
			return getterType(where, m[1])
		}
	}
	return Type{}, fmt.Errorf("%s: no declaration in %q", where, a.decl)
}

// tsType maps a TypeScript field type to a Terraform type; an array is a
// list or a set as the HCL writer's kind says.
func tsType(where, ts, kind string) (Type, error) {
	collection := func(elem Type) (Type, error) {
		switch kind {
		case "list":
			return ListOf(elem), nil
		case "set":
			return SetOf(elem), nil
		}
		return Type{}, fmt.Errorf("%s: %s written as %q, want list or set", where, ts, kind)
	}
	switch ts {
	case "string":
		return String, nil
	case "number":
		return Number, nil
	case "boolean | cdktf.IResolvable":
		return Bool, nil
	case "string[]":
		return collection(String)
	case "number[]":
		return collection(Number)
	case "(boolean | cdktf.IResolvable)[]":
		return collection(Bool)
	case "{ [key: string]: string }":
		return MapOf(String), nil
	case "{ [key: string]: number }":
		return MapOf(Number), nil
	case "{ [key: string]: boolean | cdktf.IResolvable }":
		return MapOf(Bool), nil
	}
	return Type{}, fmt.Errorf("%s: TypeScript type %q not known here", where, ts)
}

// getterType maps the getter of a computed attribute to its type.
func getterType(where, expr string) (Type, error) {
	for _, g := range []struct {
		call string
		t    Type
	}{
		{"cdktf.Fn.tolist(this.getListAttribute(", SetOf(String)},
		{"cdktf.Token.asNumberList(cdktf.Fn.tolist(this.getNumberListAttribute(", SetOf(Number)},
		{"this.getStringAttribute(", String},
		{"this.getNumberAttribute(", Number},
		{"this.getBooleanAttribute(", Bool},
		{"this.getListAttribute(", ListOf(String)},
		{"this.getNumberListAttribute(", ListOf(Number)},
		{"this.getStringMapAttribute(", MapOf(String)},
		{"this.getNumberMapAttribute(", MapOf(Number)},
		{"this.getBooleanMapAttribute(", MapOf(Bool)},
	} {
		if strings.HasPrefix(expr, g.call) {
			return g.t, nil
		}
	}
	return Type{}, fmt.Errorf("%s: getter %q not known here", where, expr)
}

// objectType is the type of an attribute cdktf binds to a class: a map of
// primitives, or (a computed block, which Terraform makes an attribute) a
// list or set of objects.
func (f *file) objectType(c *class, a attr, ctor string, wrapsSet bool) (Type, error) {
	switch ctor {
	case "cdktf.StringMap":
		return MapOf(String), nil
	case "cdktf.NumberMap":
		return MapOf(Number), nil
	case "cdktf.BooleanMap":
		return MapOf(Bool), nil
	case "cdktf.StringMapList":
		return ListOf(MapOf(String)), nil
	case "cdktf.NumberMapList":
		return ListOf(MapOf(Number)), nil
	case "cdktf.BooleanMapList":
		return ListOf(MapOf(Bool)), nil
	}
	if strings.HasPrefix(ctor, "cdktf.") {
		return Type{}, fmt.Errorf("%s.%s: new %s not known here", c.name, a.name, ctor)
	}
	elem, _, err := f.elem(c, a)
	if err != nil {
		return Type{}, err
	}
	ec, ok := f.classes[elem+"OutputReference"]
	if !ok {
		return Type{}, fmt.Errorf("%s.%s: no class %sOutputReference", c.name, a.name, elem)
	}
	inner, err := f.block(ec, nil)
	if err != nil {
		return Type{}, err
	}
	attrs := map[string]Type{}
	for name, at := range inner.Attributes {
		attrs[name] = at.Type
	}
	if wrapsSet {
		return SetOf(ObjectOf(attrs)), nil
	}
	return ListOf(ObjectOf(attrs)), nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
