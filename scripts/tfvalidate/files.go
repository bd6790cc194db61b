package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// rootModules are the modules validated, from the repository root:
// terraform/ and each folder of terraform/examples that holds .tf files
// (each example is a root module that calls terraform/).
func rootModules(root string) ([]string, error) {
	modules := []string{"terraform"}
	examples, err := filepath.Glob(filepath.Join(root, "terraform", "examples", "*", "*.tf"))
	if err != nil {
		return nil, err
	}
	for _, f := range examples {
		rel, err := filepath.Rel(root, filepath.Dir(f))
		if err != nil {
			return nil, err
		}
		if !slices.Contains(modules, rel) {
			modules = append(modules, rel)
		}
	}
	return modules, nil
}

// typeSet is what a provider's types the modules use.
type typeSet struct{ resources, data map[string]bool }

// usedTypes returns, by provider (the prefix of a type's name), the
// resource and data source types the modules declare.
func usedTypes(root string, modules []string) (map[string]typeSet, error) {
	out := map[string]typeSet{}
	err := eachBody(root, modules, func(body *hcl.BodyContent) {
		for _, b := range body.Blocks {
			if len(b.Labels) == 0 {
				continue
			}
			name := b.Labels[0]
			prefix, _, _ := strings.Cut(name, "_")
			s, ok := out[prefix]
			if !ok {
				s = typeSet{resources: map[string]bool{}, data: map[string]bool{}}
				out[prefix] = s
			}
			if b.Type == "resource" {
				s.resources[name] = true
			} else {
				s.data[name] = true
			}
		}
	}, "resource", "data")
	return out, err
}

// declaresProviders reports whether the module in dir has a
// required_providers block, which an override file may then replace.
func declaresProviders(dir string) (bool, error) {
	declares := false
	err := eachBody(dir, []string{"."}, func(body *hcl.BodyContent) {
		for _, tf := range body.Blocks {
			inner, _, _ := tf.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "required_providers"}}})
			declares = declares || len(inner.Blocks) > 0
		}
	}, "terraform")
	return declares, err
}

// providerConstraint returns the version constraint the module in dir
// puts on a provider in required_providers.
func providerConstraint(dir, name string) (string, error) {
	constraint := ""
	err := eachBody(dir, []string{"."}, func(body *hcl.BodyContent) {
		for _, tf := range body.Blocks {
			inner, _, _ := tf.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "required_providers"}}})
			for _, rp := range inner.Blocks {
				attrs, _ := rp.Body.JustAttributes()
				a, ok := attrs[name]
				if !ok {
					continue
				}
				v, diags := a.Expr.Value(nil)
				if !diags.HasErrors() && v.Type().IsObjectType() && v.Type().HasAttribute("version") {
					constraint = v.GetAttr("version").AsString()
				}
			}
		}
	}, "terraform")
	if err == nil && constraint == "" {
		err = fmt.Errorf("%s: no version constraint on %s in required_providers", dir, name)
	}
	return constraint, err
}

// eachBody parses the .tf files of the modules and calls f with the
// top-level blocks of the types named, file by file.
func eachBody(root string, modules []string, f func(*hcl.BodyContent), types ...string) error {
	schema := &hcl.BodySchema{}
	for _, t := range types {
		labels := []string{"type", "name"}
		if t == "terraform" {
			labels = nil
		}
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: t, LabelNames: labels})
	}
	parser := hclparse.NewParser()
	for _, m := range modules {
		files, err := filepath.Glob(filepath.Join(root, m, "*.tf"))
		if err != nil {
			return err
		}
		for _, path := range files {
			file, diags := parser.ParseHCLFile(path)
			if diags.HasErrors() {
				return diags
			}
			body, _, diags := file.Body.PartialContent(schema)
			if diags.HasErrors() {
				return diags
			}
			f(body)
		}
	}
	return nil
}

// copyRepo copies the files of the repository that git tracks or would
// track (untracked but not ignored) to dst: the modules read sources
// outside terraform/ (fileset and file of the functions' code and the
// configuration), and tofu writes .terraform and a lock file beside them.
func copyRepo(root, dst string) error {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %w", err)
	}
	for _, rel := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, rel)
		info, err := os.Lstat(src)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		if err := copyFile(src, filepath.Join(dst, rel), info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// untar extracts from the gzipped tarball the regular files want keeps.
func untar(tgz, dst string, want func(string) bool) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.ToSlash(filepath.Clean(h.Name))
		if h.Typeflag != tar.TypeReg || !want(name) || !filepath.IsLocal(name) {
			continue
		}
		path := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, tr); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
	}
}

// checkIntegrity checks a file against an npm integrity string
// ("sha512-" and the base64 digest).
func checkIntegrity(path, integrity string) error {
	want, ok := strings.CutPrefix(integrity, "sha512-")
	if !ok {
		return fmt.Errorf("integrity %q: want sha512", integrity)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("sha512 %s, want %s as npm publishes it", got, want)
	}
	return nil
}
