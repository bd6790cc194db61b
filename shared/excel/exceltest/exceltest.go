// Package exceltest runs the Microsoft side of a configuration's Excel
// destinations, for the local stack and the tests that run the function
// whole: an emulated Microsoft Graph
// holding the workbooks and named tables of a configuration's Excel
// destinations, Entra ID with the app registration, and an emulated
// metadata server whose Google ID tokens the app's federated credential
// trusts. The function reaches them through the environment Env gives,
// with the real HTTP client, azidentity and metadata client, exactly as
// deployed but for the addresses.
package exceltest

import (
	"fmt"
	"os"
	"strings"

	"cloud.google.com/go/compute/metadata"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/graphtest"
	"github.com/safeview/safeview/shared/metadatatest"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
)

// The local app registration and service account.
const (
	Tenant   = "safeview-local-tenant"
	ClientID = "safeview-local-app"
	// ServiceAccount and UniqueID are the function's service account, as
	// the metadata server names it; UniqueID is the federated
	// credential's subject.
	ServiceAccount = "safeview-webhook@safeview-local.iam.gserviceaccount.com"
	UniqueID       = "100000000000000000001"
)

// Destination is one Excel destination in the READY line: where a client
// reads its tables, as Graph serves them, at
// {graph_endpoint}/drives/{drive_id}/items/{item_id}/workbook/tables/{name}/rows.
type Destination struct {
	Kind          string            `json:"kind"`
	GraphEndpoint string            `json:"graph_endpoint"`
	DriveID       string            `json:"drive_id"`
	ItemID        string            `json:"item_id"`
	Tables        map[string]string `json:"tables"`
}

// Stack is the running Microsoft side.
type Stack struct {
	Graph    *graphtest.Server
	Metadata *metadatatest.Server
	// Env is the function's environment (webhookfn's SAFEVIEW_GRAPH_*,
	// SAFEVIEW_ENTRA_* and GCE_METADATA_HOST).
	Env map[string]string
	// Destinations are the Excel destinations, by name.
	Destinations map[string]Destination
	ca           string
}

// Start starts the emulators, Graph on addr ("127.0.0.1:0" for a free
// port) over plain HTTP for readers (the Destinations' graph_endpoint)
// and on a free port over https for the function, with a workbook for each Excel destination of cfg and in it a
// named table for each of its tables, headed by the columns it keeps.
func Start(cfg *config.Config, addr string, opts ...graphtest.Option) (*Stack, error) {
	// Requests without a token are served too, so that a person can read
	// the tables with curl; the function's carry real tokens.
	g, err := graphtest.StartAt("127.0.0.1:0", append([]graphtest.Option{graphtest.WithoutAuth()}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("graph emulator: %w", err)
	}
	st := &Stack{Graph: g, Destinations: map[string]Destination{}}
	readers, err := g.ServePlain(addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("graph emulator: %w", err)
	}
	md, err := metadatatest.New(ServiceAccount, UniqueID)
	if err == nil {
		err = md.Start("127.0.0.1:0")
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("metadata emulator: %w", err)
	}
	st.Metadata = md
	g.RegisterApp(Tenant, ClientID, "")
	g.AddFederatedCredential(Tenant, ClientID, graphtest.Federated{Issuer: metadatatest.Issuer, Subject: UniqueID, Audience: excel.ExchangeAudience, Key: md.PublicKey()})
	f, err := os.CreateTemp("", "safeview-graph-*.pem")
	if err == nil {
		_, err = f.Write(g.CertificatePEM())
		f.Close()
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	st.ca = f.Name()
	for _, name := range cfg.DestinationNames {
		d := cfg.Destinations[name]
		if d.Kind != config.KindExcel {
			continue
		}
		wb := d.Excel.Workbook
		drive, item := wb.DriveID, wb.ItemID
		if drive == "" {
			drive, item = "b!"+name, "01"+name
			host, path, _ := strings.Cut(wb.Site, ":")
			g.AddSite(host, path, wb.Path, drive, item)
		}
		g.CreateWorkbook(drive, item, name+".xlsx")
		dest := Destination{Kind: config.KindExcel, GraphEndpoint: readers, DriveID: drive, ItemID: item, Tables: map[string]string{}}
		for _, t := range cfg.DestinationTables(d) {
			named := d.NamedTable(t.Tab)
			if err := g.AddTable(drive, item, t.Tab, named, cfg.ColumnsFor(d, t)...); err != nil {
				st.Close()
				return nil, err
			}
			dest.Tables[t.Tab] = named
		}
		st.Destinations[name] = dest
	}
	st.Env = map[string]string{
		"SAFEVIEW_GRAPH_ENDPOINT":  g.GraphEndpoint(),
		"SAFEVIEW_ENTRA_AUTHORITY": g.URL() + "/",
		"SAFEVIEW_ENTRA_CA":        st.ca,
		"SAFEVIEW_ENTRA_TENANT_ID": Tenant,
		"SAFEVIEW_ENTRA_CLIENT_ID": ClientID,
		"GCE_METADATA_HOST":        md.Host(),
	}
	return st, nil
}

// Options are how the function reaches the emulators when built in
// process (webhookfn.Deps.Graph): the same as Env says, with the
// metadata client pointed at the emulated metadata server.
func (s *Stack) Options(res secrets.Resolver) (view.GraphOptions, error) {
	hc, err := excel.TrustingClient(s.ca)
	if err != nil {
		return view.GraphOptions{}, err
	}
	return view.GraphOptions{Endpoint: s.Graph.GraphEndpoint(), AuthorityHost: s.Graph.URL() + "/", Transport: hc,
		TenantID: Tenant, ClientID: ClientID, Secrets: res,
		Assertion: excel.GoogleIDToken(metadata.NewClient(s.Metadata.Client()))}, nil
}

// TB is the part of testing.TB that NewStack needs.
type TB interface {
	Cleanup(func())
	Fatal(...any)
}

// NewStack starts a Stack for cfg on a free port and closes it when the
// test ends.
func NewStack(t TB, cfg *config.Config, opts ...graphtest.Option) *Stack {
	s, err := Start(cfg, "127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the emulators and removes the certificate file.
func (s *Stack) Close() {
	if s.ca != "" {
		os.Remove(s.ca)
	}
	if s.Metadata != nil {
		s.Metadata.Close()
	}
	s.Graph.Close()
}
