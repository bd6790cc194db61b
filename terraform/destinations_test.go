package terraform_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyfunction "github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"go.yaml.in/yaml/v3"

	"github.com/safeview/safeview/shared/config"
)

// Every destination of the configuration gets a service account, the
// function may act as exactly those (the token creator role granted on
// each account, none on the project), no key is made, and the function is
// told each account and spreadsheet id.
func TestDestinationAccounts(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	for key, b := range m.resources {
		if b.Labels[0] == "google_service_account_key" {
			t.Errorf("%s: no service account key, ever: the function impersonates", key)
		}
		if strings.HasPrefix(b.Labels[0], "google_project_iam_") {
			if role, ok := b.Body.Attributes["role"]; ok && strings.Contains(string(role.SrcRange.SliceBytes(mustRead(t, role.SrcRange.Filename))), "serviceAccountTokenCreator") {
				t.Errorf("%s: token creator on the project lets the function act as every account; grant it on the destinations' accounts", key)
			}
		}
	}
	sa := m.resources["google_service_account.destination"]
	grant := m.resources["google_service_account_iam_member.destination_token_creator"]
	if sa == nil || grant == nil {
		t.Fatal("want google_service_account.destination and google_service_account_iam_member.destination_token_creator")
	}
	for _, b := range []*hclsyntax.Block{sa, grant} {
		if got := attrText(t, b.Body.Attributes["for_each"]); got != "local.destinations" {
			t.Errorf("%s: for_each = %s, want local.destinations", b.DefRange(), got)
		}
	}
	if got := literal(t, grant.Body.Attributes["role"]).AsString(); got != "roles/iam.serviceAccountTokenCreator" {
		t.Errorf("destination grant role = %q", got)
	}
	if got := attrText(t, grant.Body.Attributes["service_account_id"]); got != "google_service_account.destination[each.key].name" {
		t.Errorf("destination grant is on %s, want each destination's account", got)
	}
	// The function that writes the sheets: the webhook function, or the
	// writer in queued mode (local.sheet_writer).
	if got := attrText(t, grant.Body.Attributes["member"]); got != `google_service_account.function[local.sheet_writer].member` {
		t.Errorf("destination grant is to %s, want the account of the function that writes the sheets", got)
	}
	fn := string(mustRead(t, "functions.tf"))
	for _, env := range []string{"SAFEVIEW_DESTINATION_ACCOUNTS", "SAFEVIEW_DESTINATION_SPREADSHEETS"} {
		if !strings.Contains(fn, env+" ") {
			t.Errorf("functions.tf does not set %s", env)
		}
	}

	// local.destinations, evaluated for the example configuration: one
	// valid account id per destination, the ids of the variable first.
	example := string(mustRead(t, "../functions/webhook/safeview.yaml"))
	cfg, err := config.Parse("safeview.yaml", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	got := terraformDestinations(t, example, map[string]string{"lyon": "1LyonSheet"})
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range got {
			if !yield(k) {
				return
			}
		}
	})
	// Its Google spreadsheet destinations: an Excel one signs in to
	// Microsoft, with no account of its own.
	var sheetsDests []string
	for _, name := range cfg.DestinationNames {
		if cfg.Destinations[name].Kind != config.KindExcel {
			sheetsDests = append(sheetsDests, name)
		}
	}
	if !slices.Equal(names, slices.Sorted(slices.Values(sheetsDests))) {
		t.Fatalf("local.destinations = %q, want the configuration's Google spreadsheets %q", names, sheetsDests)
	}
	for name, d := range got {
		if id := d["account_id"]; len(id) < 6 || len(id) > 30 || strings.ContainsAny(id, "_.@") {
			t.Errorf("%s: account id %q is not a valid service account id", name, id)
		}
	}
	if got["lyon"]["id"] != "1LyonSheet" || got["online"]["id"] != "" || got["lyon"]["title"] != "Safeview – Lyon" {
		t.Errorf("local.destinations = %v, want lyon's id from the variable, online's empty, titles from the file", got)
	}
}

// exprText is an expression's source text.
func attrText(t *testing.T, attr *hclsyntax.Attribute) string {
	t.Helper()
	if attr == nil {
		return ""
	}
	return strings.TrimSpace(string(attr.Expr.Range().SliceBytes(mustRead(t, attr.Expr.Range().Filename))))
}

// terraformDestinations evaluates local.destinations of destinations.tf
// for a configuration file and var.destination_spreadsheet_ids.
func terraformDestinations(t *testing.T, yml string, ids map[string]string) map[string]map[string]string {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal([]byte(yml), &doc); err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(doc)
	ty, err := ctyjson.ImpliedType(js)
	if err != nil {
		t.Fatal(err)
	}
	cfgVal, err := ctyjson.Unmarshal(js, ty)
	if err != nil {
		t.Fatal(err)
	}
	idVals := map[string]cty.Value{}
	for k, v := range ids {
		idVals[k] = cty.StringVal(v)
	}
	var attr *hclsyntax.Attribute
	for _, b := range loadModule(t, ".").files["destinations.tf"].Blocks {
		if a, ok := b.Body.Attributes["destinations"]; ok && b.Type == "locals" {
			attr = a
		}
	}
	if attr == nil {
		t.Fatal("destinations.tf has no local destinations")
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"local": cty.ObjectVal(map[string]cty.Value{"config": cfgVal}),
			"var":   cty.ObjectVal(map[string]cty.Value{"name_prefix": cty.StringVal("safeview"), "destination_spreadsheet_ids": cty.MapVal(idVals)}),
		},
		Functions: map[string]ctyfunction.Function{
			"coalesce": stdlib.CoalesceFunc,
			"replace":  stdlib.ReplaceFunc,
			"tostring": stdlib.MakeToFunc(cty.String),
			"try":      tryfunc.TryFunc,
		},
	}
	v, diags := attr.Expr.Value(ctx)
	if diags.HasErrors() {
		t.Fatalf("local.destinations: %v", diags)
	}
	out := map[string]map[string]string{}
	for name, d := range v.AsValueMap() {
		out[name] = map[string]string{}
		for k, f := range d.AsValueMap() {
			if f.Type() == cty.String {
				out[name][k] = f.AsString()
			}
		}
	}
	return out
}
