// Package config reads Safeview's configuration: one YAML file, reviewed
// like code and shipped with the function, that names the sources (which
// platform posts to which URL, with which secrets), the tables (one tab of
// the spreadsheet each) and their columns.
//
// Decoding is strict: an unknown key is an error, not a silently ignored
// typo. Validation reports every mistake at once, each with its line and
// the path to it, e.g.
//
//	safeview.yaml:31: tables[0].columns[2].field: unknown field "order.totl"
package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones must resolve in a minimal container too

	"go.yaml.in/yaml/v3"
)

// Config is a whole configuration file.
type Config struct {
	// Mode is how rows reach the destinations: direct (the default) or
	// queued, through Pub/Sub (see mode.go).
	Mode        string             `yaml:"mode"`
	Spreadsheet Spreadsheet        `yaml:"spreadsheet"`
	Privacy     Privacy            `yaml:"privacy"`
	Limits      Limits             `yaml:"limits"`
	Sheet       Sheet              `yaml:"sheet"`
	Sources     map[string]*Source `yaml:"sources"`
	Tables      []*Table           `yaml:"tables"`
	// Destinations are the spreadsheets beyond the main one (partners,
	// franchisees), by name.
	Destinations map[string]*Destination `yaml:"destinations"`

	// SourceNames lists the sources in the order of the file, and
	// DestinationNames the destinations.
	SourceNames      []string `yaml:"-"`
	DestinationNames []string `yaml:"-"`
	file             string
	lines            map[string]int
}

// Spreadsheet says which spreadsheet the tables live in.
type Spreadsheet struct {
	// ID is the spreadsheet's id (the long part of its URL). The
	// environment variable SAFEVIEW_SPREADSHEET_ID, when set, wins.
	ID string `yaml:"id"`
	// TimeZone is the IANA time zone dates are shown in, unless a source
	// names its own. Default UTC.
	TimeZone string `yaml:"time_zone"`
}

// Privacy holds the settings of the privacy operators.
type Privacy struct {
	// PseudonymKey names the secret that keys the pseudonym operator.
	PseudonymKey string `yaml:"pseudonym_key"`
}

// Limits bound what one delivery may cost.
type Limits struct {
	// MaxBodyBytes caps a delivery's body; larger ones get 413. Default 1 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// Deadline caps how long a delivery may take, from its headers to the
	// answer: a body not received by then gets 408, a sheet not written by
	// then 503 so that the platform retries. Default 4s, inside Shopify's
	// 5 s.
	Deadline Duration `yaml:"deadline"`
}

// Defaults.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultDeadline     = 4 * time.Second
)

// Duration is a time.Duration written as "4s" or "1m30s".
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("want a duration such as 4s or 1m30s")
	}
	*d = Duration(v)
	return nil
}

// Load reads and validates a configuration file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a configuration; name is used in messages.
func Parse(name string, data []byte) (*Config, error) {
	c := &Config{file: name, lines: map[string]int{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: empty configuration", name)
	}
	doc := root.Content[0]
	var errs []error
	c.walk(doc, reflect.TypeOf(*c), "", &errs)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := doc.Decode(c); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if n := mapping(doc, "sources"); n != nil {
		for i := 0; i+1 < len(n.Content); i += 2 {
			c.SourceNames = append(c.SourceNames, n.Content[i].Value)
		}
	}
	if n := mapping(doc, "destinations"); n != nil {
		for i := 0; i+1 < len(n.Content); i += 2 {
			c.DestinationNames = append(c.DestinationNames, n.Content[i].Value)
		}
	}
	c.defaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// SpreadsheetFor returns the spreadsheet a command works on: id when
// given (its -spreadsheet flag), else the configuration's.
func (c *Config) SpreadsheetFor(id string) (string, error) {
	if id == "" {
		id = c.Spreadsheet.ID
	}
	if id == "" {
		return "", errors.New("no spreadsheet: give -spreadsheet (the id in its URL, between /d/ and /edit)")
	}
	return id, nil
}

// File is the name the configuration was read from.
func (c *Config) File() string { return c.file }

func (c *Config) defaults() {
	if c.Limits.MaxBodyBytes == 0 {
		c.Limits.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Limits.Deadline == 0 {
		c.Limits.Deadline = Duration(DefaultDeadline)
	}
	if c.Spreadsheet.TimeZone == "" {
		c.Spreadsheet.TimeZone = "UTC"
	}
	for _, s := range c.Sources {
		if s != nil && s.TimeZone == "" {
			s.TimeZone = c.Spreadsheet.TimeZone
		}
		if s != nil {
			// Shopify names shops in lower case; so does the configuration.
			for i, d := range s.Shops {
				s.Shops[i] = strings.ToLower(strings.TrimSpace(d))
			}
		}
	}
}

// Errorf returns an error about the value at path, with its line.
func (c *Config) Errorf(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if line, ok := c.line(path); ok {
		return fmt.Errorf("%s:%d: %s: %s", c.file, line, path, msg)
	}
	return fmt.Errorf("%s: %s: %s", c.file, path, msg)
}

// line returns the line of path, or of its nearest parent that has one.
func (c *Config) line(path string) (int, bool) {
	for p := path; p != ""; {
		if l, ok := c.lines[p]; ok {
			return l, true
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0, false
}

// walk checks a YAML node against the Go type it decodes into: unknown keys
// and wrong shapes are reported with their path, and the line of every path
// is recorded for later messages.
func (c *Config) walk(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	if path != "" {
		c.lines[path] = n.Line
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	at := func(msg string) {
		*errs = append(*errs, fmt.Errorf("%s:%d: %s: %s", c.file, n.Line, orRoot(path), msg))
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[yaml.Unmarshaler]()) {
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			at(err.Error())
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			at("want a map of keys")
			return
		}
		fields := map[string]reflect.StructField{}
		var known []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			fields[name] = f
			known = append(known, name)
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				sort.Strings(known)
				*errs = append(*errs, fmt.Errorf("%s:%d: %s: unknown key %q (known: %s)", c.file, k.Line, orRoot(path), k.Value, strings.Join(known, ", ")))
				continue
			}
			if seen[k.Value] {
				*errs = append(*errs, fmt.Errorf("%s:%d: %s: key %q given twice", c.file, k.Line, orRoot(path), k.Value))
			}
			seen[k.Value] = true
			c.walk(v, f.Type, join(path, k.Value), errs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			at("want a map")
			return
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if seen[k.Value] {
				*errs = append(*errs, fmt.Errorf("%s:%d: %s: key %q given twice", c.file, k.Line, orRoot(path), k.Value))
			}
			seen[k.Value] = true
			c.walk(v, t.Elem(), join(path, k.Value), errs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			at("want a list")
			return
		}
		for i, v := range n.Content {
			c.walk(v, t.Elem(), path+"["+strconv.Itoa(i)+"]", errs)
		}
	default:
		if n.Kind != yaml.ScalarNode {
			at("want a single value")
			return
		}
		var probe = reflect.New(t)
		if err := n.Decode(probe.Interface()); err != nil {
			at("want a " + kindName(t.Kind()))
		}
	}
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "whole number"
	}
	return k.String()
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}

func mapping(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.MappingNode {
			return n.Content[i+1]
		}
	}
	return nil
}
