package tfschema

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The server answers with the schema as the plugin protocol carries it,
// validates every configuration, and refuses to plan: it must never pass
// for the real provider.
func TestServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, err := compile(t, "google").Extract([]string{"google_project_service"}, []string{"google_monitoring_uptime_check_ips"})
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(p)

	resp, err := s.GetProviderSchema(ctx, &tfprotov5.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	str := func(name string) *tfprotov5.SchemaAttribute {
		return &tfprotov5.SchemaAttribute{Name: name, Type: tftypes.String, Optional: true}
	}
	want := &tfprotov5.Schema{Block: &tfprotov5.SchemaBlock{
		Attributes: []*tfprotov5.SchemaAttribute{
			{Name: "disable_dependent_services", Type: tftypes.Bool, Optional: true},
			{Name: "disable_on_destroy", Type: tftypes.Bool, Optional: true},
			{Name: "id", Type: tftypes.String, Optional: true, Computed: true},
			{Name: "project", Type: tftypes.String, Optional: true, Computed: true},
			{Name: "service", Type: tftypes.String, Required: true},
		},
		BlockTypes: []*tfprotov5.SchemaNestedBlock{{
			TypeName: "timeouts", Nesting: tfprotov5.SchemaNestedBlockNestingModeSingle,
			Block: &tfprotov5.SchemaBlock{Attributes: []*tfprotov5.SchemaAttribute{str("create"), str("delete"), str("read"), str("update")}},
		}},
	}}
	if diff := cmp.Diff(want, resp.ResourceSchemas["google_project_service"]); diff != "" {
		t.Errorf("GetProviderSchema: google_project_service (-want +got)\n%s", diff)
	}
	ips := resp.DataSourceSchemas["google_monitoring_uptime_check_ips"]
	wantType := tftypes.List{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"ip_address": tftypes.String, "location": tftypes.String, "region": tftypes.String,
	}}}
	if ips == nil || len(ips.Block.Attributes) != 2 || !ips.Block.Attributes[1].Type.Equal(wantType) {
		t.Errorf("GetProviderSchema: google_monitoring_uptime_check_ips = %v, want uptime_check_ips of %s", ips, wantType)
	}

	if v, err := s.ValidateResourceTypeConfig(ctx, &tfprotov5.ValidateResourceTypeConfigRequest{TypeName: "google_project_service"}); err != nil || len(v.Diagnostics) > 0 {
		t.Errorf("ValidateResourceTypeConfig = %v, %v, want no diagnostics", v, err)
	}
	config := &tfprotov5.DynamicValue{JSON: []byte(`{"project":"p"}`)}
	if v, err := s.PrepareProviderConfig(ctx, &tfprotov5.PrepareProviderConfigRequest{Config: config}); err != nil || v.PreparedConfig != config {
		t.Errorf("PrepareProviderConfig = %v, %v, want the configuration back", v, err)
	}
	if v, err := s.PlanResourceChange(ctx, &tfprotov5.PlanResourceChangeRequest{TypeName: "google_project_service"}); err != nil || len(v.Diagnostics) != 1 || v.Diagnostics[0].Severity != tfprotov5.DiagnosticSeverityError {
		t.Errorf("PlanResourceChange = %v, %v, want one error", v, err)
	}
	if v, err := s.ConfigureProvider(ctx, &tfprotov5.ConfigureProviderRequest{}); err != nil || len(v.Diagnostics) != 1 {
		t.Errorf("ConfigureProvider = %v, %v, want one error", v, err)
	}
}
