package config

import (
	"regexp"
	"strings"
)

// KindExcel is a destination that is an Excel workbook on OneDrive or
// SharePoint, written through Microsoft Graph, each table in a named
// table of the workbook.
const KindExcel = "excel"

// DestinationExcel is where an Excel destination's workbook is and how
// the function signs in to Microsoft Graph.
type DestinationExcel struct {
	// TenantID and ClientID are the Entra ID tenant and the application
	// (client) id of the app registration allowed to write the workbook.
	// Empty: SAFEVIEW_ENTRA_TENANT_ID and SAFEVIEW_ENTRA_CLIENT_ID, which
	// Terraform sets.
	TenantID string `yaml:"tenant_id"`
	ClientID string `yaml:"client_id"`
	// ClientSecret names the secret holding a client secret of the app,
	// the fallback; empty (the default) signs in with a federated
	// credential: the function's Google ID token, no secret stored.
	ClientSecret string `yaml:"client_secret"`
	// Workbook is the file.
	Workbook DestinationWorkbook `yaml:"workbook"`
}

// DestinationWorkbook names an Excel file: by its drive and item ids, or
// by a SharePoint site and the file's path in the site's documents,
// resolved to ids once.
type DestinationWorkbook struct {
	DriveID string `yaml:"drive_id"`
	ItemID  string `yaml:"item_id"`
	// Site is host:/path, such as contoso.sharepoint.com:/sites/Finance.
	Site string `yaml:"site"`
	// Path is the file's path in the site's default library, such as
	// Shared Documents/Orders.xlsx.
	Path string `yaml:"path"`
}

// excelTableName is what Excel accepts as a table's name: a letter or an
// underscore, then letters, digits, underscores and periods, no more
// than 255 characters.
var excelTableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]{0,254}$`)

// cellLike is a name Excel refuses because it reads as a cell (A1, R1C1).
var cellLike = regexp.MustCompile(`^(?i:[A-Z]{1,3}[0-9]+|R[0-9]*C[0-9]*|R|C)$`)

// NamedTable returns the named table that holds a table in an Excel
// destination: its tables.TAB.table, else "Safeview" and the tab's
// letters and digits.
func (d *Destination) NamedTable(tab string) string {
	if dt := d.Tables[tab]; dt != nil && dt.Table != "" {
		return dt.Table
	}
	var b strings.Builder
	b.WriteString("Safeview")
	for _, r := range tab {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// validateExcel checks what differs between an Excel destination and a
// spreadsheet.
func (c *Config) validateExcel(name string, d *Destination) []error {
	var errs []error
	path := "destinations." + name
	if d.Kind != KindExcel {
		if d.Excel != nil {
			errs = append(errs, c.Errorf(path+".excel", "only a destination of kind excel has an excel block"))
		}
		for _, tab := range sortedKeys(d.Tables) {
			if dt := d.Tables[tab]; dt != nil && dt.Table != "" {
				errs = append(errs, c.Errorf(path+".tables."+tab+".table", "only an Excel destination names a table: a spreadsheet has a tab per table"))
			}
		}
		return errs
	}
	if d.Spreadsheet != (DestinationSpreadsheet{}) {
		errs = append(errs, c.Errorf(path+".spreadsheet", "an Excel destination names its workbook under excel.workbook, not a spreadsheet"))
	}
	if len(d.Share) > 0 {
		errs = append(errs, c.Errorf(path+".share", "share an Excel workbook in OneDrive or SharePoint: Safeview only writes it"))
	}
	x := d.Excel
	if x == nil {
		return append(errs, c.Errorf(path, "an Excel destination needs an excel block: workbook, and the app registration's tenant_id and client_id"))
	}
	wb, wp := x.Workbook, path+".excel.workbook"
	byID := wb.DriveID != "" || wb.ItemID != ""
	bySite := wb.Site != "" || wb.Path != ""
	switch {
	case byID && bySite:
		errs = append(errs, c.Errorf(wp, "name the workbook by drive_id and item_id, or by site and path, not both"))
	case byID && (wb.DriveID == "" || wb.ItemID == ""):
		errs = append(errs, c.Errorf(wp, "want both drive_id and item_id"))
	case bySite && (wb.Site == "" || wb.Path == ""):
		errs = append(errs, c.Errorf(wp, "want both site and path"))
	case !byID && !bySite:
		errs = append(errs, c.Errorf(wp, "name the workbook: drive_id and item_id, or site and path"))
	}
	if host, p, ok := strings.Cut(wb.Site, ":"); wb.Site != "" && (!ok || host == "" || !strings.HasPrefix(p, "/")) {
		errs = append(errs, c.Errorf(wp+".site", "want host:/path, such as contoso.sharepoint.com:/sites/Finance"))
	}
	for _, t := range c.DestinationTables(d) {
		n := d.NamedTable(t.Tab)
		if !excelTableName.MatchString(n) || cellLike.MatchString(n) {
			errs = append(errs, c.Errorf(path+".tables."+t.Tab+".table", "%q is not a name Excel gives a table: a letter or _, then letters, digits, _ and ., and not a cell's name", n))
		}
	}
	return errs
}
