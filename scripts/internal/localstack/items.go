package localstack

import (
	"fmt"
	"slices"

	yaml "go.yaml.in/yaml/v3"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/items/itemstest"
)

// itemsKey is the credential the local fake of the platforms' APIs
// accepts.
const itemsKey = "rk_test_safeview_demo_items"

// itemsReads returns, by source name, the secret of the line-items
// credential of every source that can read them: the one the
// configuration names, or NAME-items-key for the sources the local stack
// turns the reads on for (stripe, square, lightspeed-xseries), so that a
// demo order shows its items. added lists the latter.
func itemsReads(cfg *config.Config) (secretOf map[string]string, added []string) {
	secretOf = map[string]string{}
	for _, name := range cfg.SourceNames {
		src := cfg.Sources[name]
		switch {
		case src.Items != nil:
			secretOf[name] = src.Items.Secret
		case slices.Contains(config.ItemsPlatforms, src.Platform):
			secretOf[name] = name + "-items-key"
			added = append(added, name)
		}
	}
	return secretOf, added
}

// withItems turns the reads of line items on for the added sources, in
// the configuration's YAML.
func withItems(root *yaml.Node, secretOf map[string]string, added []string) error {
	sources := child(root, "sources")
	for _, name := range added {
		src := child(sources, name)
		if src == nil {
			return fmt.Errorf("no source %q", name)
		}
		block := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "secret"}, {Kind: yaml.ScalarNode, Value: secretOf[name]},
		}}
		if src := childValue(src, "platform"); src == "lightspeed-xseries" {
			block.Content = append(block.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "domain_prefix"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "demo"})
		}
		src.Content = append(src.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "items"}, block)
	}
	return nil
}

func childValue(n *yaml.Node, key string) string {
	if c := child(n, key); c != nil {
		return c.Value
	}
	return ""
}

// startItems starts the fake of the platforms' read-only APIs, answering
// any order with lines of a demo café's catalogue.
func startItems() *itemstest.Server {
	s := itemstest.New(itemsKey)
	s.Demo()
	return s
}
