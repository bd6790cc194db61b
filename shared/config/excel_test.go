package config

import (
	"strings"
	"testing"
)

func TestExcelDestination(t *testing.T) {
	t.Parallel()
	c, err := Parse("safeview.yaml", []byte(valid+`destinations:
  compta:
    kind: excel
    excel:
      tenant_id: t
      client_id: c
      workbook: {site: "contoso.sharepoint.com:/sites/Finance", path: Shared Documents/Orders.xlsx}
    tables:
      Orders: {table: Ventes}
`))
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	d := c.Destinations["compta"]
	if d.Kind != KindExcel || d.Excel.Workbook.Site != "contoso.sharepoint.com:/sites/Finance" || d.NamedTable("Orders") != "Ventes" {
		t.Errorf("destination = %+v, want the Excel workbook and table Ventes", d)
	}
	if got := (&Destination{}).NamedTable("My Orders!"); got != "SafeviewMyOrders" {
		t.Errorf("NamedTable(My Orders!) = %q, want SafeviewMyOrders", got)
	}
}

func TestExcelDestinationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, block, want string }{
		{"no excel block", `kind: excel`, "destinations.x: an Excel destination needs an excel block"},
		{"both ways", `kind: excel
    excel: {workbook: {drive_id: d, item_id: i, site: "h:/s", path: p}}`, "destinations.x.excel.workbook: name the workbook by drive_id and item_id, or by site and path, not both"},
		{"half an id", `kind: excel
    excel: {workbook: {drive_id: d}}`, "want both drive_id and item_id"},
		{"no workbook", `kind: excel
    excel: {tenant_id: t}`, "name the workbook"},
		{"bad site", `kind: excel
    excel: {workbook: {site: contoso.sharepoint.com, path: p}}`, "excel.workbook.site: want host:/path"},
		{"cell-like table", `kind: excel
    excel: {workbook: {drive_id: d, item_id: i}}
    tables: {Orders: {table: A1}}`, `tables.Orders.table: "A1" is not a name Excel gives a table`},
		{"space in table", `kind: excel
    excel: {workbook: {drive_id: d, item_id: i}}
    tables: {Orders: {table: "My table"}}`, "is not a name Excel gives a table"},
		{"shared", `kind: excel
    excel: {workbook: {drive_id: d, item_id: i}}
    share: [{email: a@b.com}]`, "destinations.x.share: share an Excel workbook in OneDrive or SharePoint"},
		{"spreadsheet", `kind: excel
    spreadsheet: {id: abc}
    excel: {workbook: {drive_id: d, item_id: i}}`, "destinations.x.spreadsheet: an Excel destination names its workbook under excel.workbook"},
		{"excel on sheets", `spreadsheet: {id: abc}
    excel: {workbook: {drive_id: d, item_id: i}}`, "destinations.x.excel: only a destination of kind excel"},
		{"table on sheets", `spreadsheet: {id: abc}
    tables: {Orders: {table: T}}`, "destinations.x.tables.Orders.table: only an Excel destination names a table"},
		{"unknown kind", `kind: numbers`, `unknown kind "numbers" (known: google-sheets, excel)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("safeview.yaml", []byte(valid+"destinations:\n  x:\n    "+tt.block+"\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) error = %v, want %q", tt.name, err, tt.want)
			}
		})
	}
}

// "main" names the main spreadsheet (queued mode's <prefix>-writer-main):
// a destination of that name would share its subscription.
func TestDestinationNamedMainRefused(t *testing.T) {
	t.Parallel()
	_, err := Parse("safeview.yaml", []byte(valid+"destinations:\n  main:\n    spreadsheet: {id: abc}\n"))
	if err == nil || !strings.Contains(err.Error(), "destinations.main: the name main is the main spreadsheet's") {
		t.Errorf("Parse(destination main) error = %v, want it refused", err)
	}
	if _, err := Parse("safeview.yaml", []byte(valid+"destinations:\n  mainz:\n    spreadsheet: {id: abc}\n")); err != nil {
		t.Errorf("Parse(destination mainz) error = %v, want none", err)
	}
}
