package tfschema

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5/tf5server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Serve serves p as a provider plugin, over protocol 5 as the google and
// archive providers do, until Terraform or OpenTofu ends it. The process
// must have been started by one of them (go-plugin's handshake).
func Serve(p *Provider) error {
	s := NewServer(p)
	return tf5server.Serve(p.Source, func() tfprotov5.ProviderServer { return s })
}

// NewServer returns a provider server that answers with p's schema,
// accepts every configuration it validates, and refuses everything else.
func NewServer(p *Provider) tfprotov5.ProviderServer {
	s := &server{resp: &tfprotov5.GetProviderSchemaResponse{
		ServerCapabilities: &tfprotov5.ServerCapabilities{},
		Provider:           p.Provider.proto(),
		ResourceSchemas:    map[string]*tfprotov5.Schema{},
		DataSourceSchemas:  map[string]*tfprotov5.Schema{},
		Functions:          map[string]*tfprotov5.Function{},
	}}
	for name, r := range p.ResourceSchemas {
		s.resp.ResourceSchemas[name] = r.proto()
		s.meta.Resources = append(s.meta.Resources, tfprotov5.ResourceMetadata{TypeName: name})
	}
	for name, d := range p.DataSourceSchemas {
		s.resp.DataSourceSchemas[name] = d.proto()
		s.meta.DataSources = append(s.meta.DataSources, tfprotov5.DataSourceMetadata{TypeName: name})
	}
	s.meta.ServerCapabilities = s.resp.ServerCapabilities
	return s
}

func (s *Schema) proto() *tfprotov5.Schema {
	if s == nil {
		return &tfprotov5.Schema{Block: &tfprotov5.SchemaBlock{}}
	}
	return &tfprotov5.Schema{Version: s.Version, Block: s.Block.proto()}
}

func (b *Block) proto() *tfprotov5.SchemaBlock {
	out := &tfprotov5.SchemaBlock{}
	if b == nil {
		return out
	}
	for _, name := range slices.Sorted(maps.Keys(b.Attributes)) {
		a := b.Attributes[name]
		out.Attributes = append(out.Attributes, &tfprotov5.SchemaAttribute{
			Name: name, Type: a.Type.proto(), Required: a.Required, Optional: a.Optional, Computed: a.Computed,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(b.BlockTypes)) {
		nb := b.BlockTypes[name]
		out.BlockTypes = append(out.BlockTypes, &tfprotov5.SchemaNestedBlock{
			TypeName: name, Block: nb.Block.proto(), Nesting: nesting[nb.NestingMode], MinItems: nb.MinItems, MaxItems: nb.MaxItems,
		})
	}
	return out
}

var nesting = map[string]tfprotov5.SchemaNestedBlockNestingMode{
	"single": tfprotov5.SchemaNestedBlockNestingModeSingle,
	"list":   tfprotov5.SchemaNestedBlockNestingModeList,
	"set":    tfprotov5.SchemaNestedBlockNestingModeSet,
}

func (t Type) proto() tftypes.Type {
	switch t.Kind {
	case "string":
		return tftypes.String
	case "number":
		return tftypes.Number
	case "bool":
		return tftypes.Bool
	case "list":
		return tftypes.List{ElementType: t.Elem.proto()}
	case "set":
		return tftypes.Set{ElementType: t.Elem.proto()}
	case "map":
		return tftypes.Map{ElementType: t.Elem.proto()}
	case "object":
		attrs := map[string]tftypes.Type{}
		for name, at := range t.Attrs {
			attrs[name] = at.proto()
		}
		return tftypes.Object{AttributeTypes: attrs}
	}
	return tftypes.DynamicPseudoType
}

// server is the provider. Validation passes: the schema is what is being
// checked, by tofu itself. The rest answers with an error, so that the
// served provider can never pass for the real one in a plan.
type server struct {
	resp *tfprotov5.GetProviderSchemaResponse
	meta tfprotov5.GetMetadataResponse
}

// refused is the one diagnostic of every call that needs the real provider.
var refused = []*tfprotov5.Diagnostic{{
	Severity: tfprotov5.DiagnosticSeverityError,
	Summary:  "schema-only provider",
	Detail:   "This provider was served by scripts/tfvalidate from the provider's published schema: it can validate a configuration, nothing else. Use the real provider to plan or apply.",
}}

func (s *server) GetMetadata(context.Context, *tfprotov5.GetMetadataRequest) (*tfprotov5.GetMetadataResponse, error) {
	m := s.meta
	return &m, nil
}

func (s *server) GetProviderSchema(context.Context, *tfprotov5.GetProviderSchemaRequest) (*tfprotov5.GetProviderSchemaResponse, error) {
	return s.resp, nil
}

func (s *server) GetResourceIdentitySchemas(context.Context, *tfprotov5.GetResourceIdentitySchemasRequest) (*tfprotov5.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov5.GetResourceIdentitySchemasResponse{IdentitySchemas: map[string]*tfprotov5.ResourceIdentitySchema{}}, nil
}

func (s *server) PrepareProviderConfig(_ context.Context, req *tfprotov5.PrepareProviderConfigRequest) (*tfprotov5.PrepareProviderConfigResponse, error) {
	return &tfprotov5.PrepareProviderConfigResponse{PreparedConfig: req.Config}, nil
}

func (s *server) ConfigureProvider(context.Context, *tfprotov5.ConfigureProviderRequest) (*tfprotov5.ConfigureProviderResponse, error) {
	return &tfprotov5.ConfigureProviderResponse{Diagnostics: refused}, nil
}

func (s *server) StopProvider(context.Context, *tfprotov5.StopProviderRequest) (*tfprotov5.StopProviderResponse, error) {
	return &tfprotov5.StopProviderResponse{}, nil
}

func (s *server) ValidateResourceTypeConfig(context.Context, *tfprotov5.ValidateResourceTypeConfigRequest) (*tfprotov5.ValidateResourceTypeConfigResponse, error) {
	return &tfprotov5.ValidateResourceTypeConfigResponse{}, nil
}

func (s *server) ValidateDataSourceConfig(context.Context, *tfprotov5.ValidateDataSourceConfigRequest) (*tfprotov5.ValidateDataSourceConfigResponse, error) {
	return &tfprotov5.ValidateDataSourceConfigResponse{}, nil
}

func (s *server) ValidateEphemeralResourceConfig(context.Context, *tfprotov5.ValidateEphemeralResourceConfigRequest) (*tfprotov5.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov5.ValidateEphemeralResourceConfigResponse{}, nil
}

func (s *server) GetFunctions(context.Context, *tfprotov5.GetFunctionsRequest) (*tfprotov5.GetFunctionsResponse, error) {
	return &tfprotov5.GetFunctionsResponse{Functions: map[string]*tfprotov5.Function{}}, nil
}

func (s *server) UpgradeResourceState(context.Context, *tfprotov5.UpgradeResourceStateRequest) (*tfprotov5.UpgradeResourceStateResponse, error) {
	return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: refused}, nil
}

func (s *server) UpgradeResourceIdentity(context.Context, *tfprotov5.UpgradeResourceIdentityRequest) (*tfprotov5.UpgradeResourceIdentityResponse, error) {
	return &tfprotov5.UpgradeResourceIdentityResponse{Diagnostics: refused}, nil
}

func (s *server) ReadResource(context.Context, *tfprotov5.ReadResourceRequest) (*tfprotov5.ReadResourceResponse, error) {
	return &tfprotov5.ReadResourceResponse{Diagnostics: refused}, nil
}

func (s *server) PlanResourceChange(context.Context, *tfprotov5.PlanResourceChangeRequest) (*tfprotov5.PlanResourceChangeResponse, error) {
	return &tfprotov5.PlanResourceChangeResponse{Diagnostics: refused}, nil
}

func (s *server) ApplyResourceChange(context.Context, *tfprotov5.ApplyResourceChangeRequest) (*tfprotov5.ApplyResourceChangeResponse, error) {
	return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: refused}, nil
}

func (s *server) ImportResourceState(context.Context, *tfprotov5.ImportResourceStateRequest) (*tfprotov5.ImportResourceStateResponse, error) {
	return &tfprotov5.ImportResourceStateResponse{Diagnostics: refused}, nil
}

func (s *server) MoveResourceState(context.Context, *tfprotov5.MoveResourceStateRequest) (*tfprotov5.MoveResourceStateResponse, error) {
	return &tfprotov5.MoveResourceStateResponse{Diagnostics: refused}, nil
}

func (s *server) GenerateResourceConfig(context.Context, *tfprotov5.GenerateResourceConfigRequest) (*tfprotov5.GenerateResourceConfigResponse, error) {
	return &tfprotov5.GenerateResourceConfigResponse{Diagnostics: refused}, nil
}

func (s *server) ReadDataSource(context.Context, *tfprotov5.ReadDataSourceRequest) (*tfprotov5.ReadDataSourceResponse, error) {
	return &tfprotov5.ReadDataSourceResponse{Diagnostics: refused}, nil
}

func (s *server) CallFunction(context.Context, *tfprotov5.CallFunctionRequest) (*tfprotov5.CallFunctionResponse, error) {
	return &tfprotov5.CallFunctionResponse{Error: &tfprotov5.FunctionError{Text: refused[0].Detail}}, nil
}

func (s *server) OpenEphemeralResource(context.Context, *tfprotov5.OpenEphemeralResourceRequest) (*tfprotov5.OpenEphemeralResourceResponse, error) {
	return &tfprotov5.OpenEphemeralResourceResponse{Diagnostics: refused}, nil
}

func (s *server) RenewEphemeralResource(context.Context, *tfprotov5.RenewEphemeralResourceRequest) (*tfprotov5.RenewEphemeralResourceResponse, error) {
	return &tfprotov5.RenewEphemeralResourceResponse{Diagnostics: refused}, nil
}

func (s *server) CloseEphemeralResource(context.Context, *tfprotov5.CloseEphemeralResourceRequest) (*tfprotov5.CloseEphemeralResourceResponse, error) {
	return &tfprotov5.CloseEphemeralResourceResponse{Diagnostics: refused}, nil
}
