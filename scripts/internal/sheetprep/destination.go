package sheetprep

import (
	"context"
	"fmt"
	"io"
	"strings"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/scripts/internal/meetingtabs"
	"github.com/safeview/safeview/shared/config"
)

// Destination is one destination to prepare: its spreadsheet (ID, or
// none yet: Prepare creates one titled Title), the tabs of its tables in
// the columns it keeps, Today and Summary when Spec applies, and who may
// open it: its service account (Account, as an Editor) and its people.
type Destination struct {
	Name, ID, Title, Account string
	Tabs                     []Tab
	Spec                     meetingtabs.Spec
	HasSpec                  bool
	Share                    []config.Share
}

// DestinationOf is the destination of the configuration named name, with
// the title the spreadsheet gets when it has no id: the configuration's,
// else "Safeview – NAME". It is nil when the configuration has no Google
// spreadsheet destination of that name.
func DestinationOf(cfg *config.Config, name string) *Destination {
	d := cfg.Destinations[name]
	if d == nil || d.Kind == config.KindExcel {
		return nil
	}
	dst := &Destination{Name: name, ID: d.Spreadsheet.ID, Title: d.Spreadsheet.Title, Share: d.Share}
	if dst.Title == "" {
		dst.Title = "Safeview – " + name
	}
	for _, t := range cfg.DestinationTables(d) {
		dst.Tabs = append(dst.Tabs, Tab{Title: t.Tab, Headers: cfg.ColumnsFor(d, t)})
	}
	dst.Spec, dst.HasSpec = meetingtabs.SpecFor(cfg, d)
	return dst
}

// Plan prints what Prepare would do.
func (d Destination) Plan(out io.Writer) {
	what := "spreadsheet " + d.ID
	if d.ID == "" {
		what = fmt.Sprintf("a new spreadsheet %q", d.Title)
	}
	fmt.Fprintf(out, "destination %s: %s", d.Name, what)
	for _, t := range d.Tabs {
		fmt.Fprintf(out, ", tab %q (%s)", t.Title, strings.Join(t.Headers, " | "))
	}
	if d.HasSpec {
		fmt.Fprintf(out, ", tabs %q and %q over %s", meetingtabs.TodayTab, meetingtabs.SummaryTab, d.Spec.Tab)
	}
	if d.Account != "" {
		fmt.Fprintf(out, "; shared with %s as an Editor", d.Account)
	}
	for _, s := range d.Share {
		fmt.Fprintf(out, "; with %s as %s", s.Email, RoleOf(s))
	}
	fmt.Fprintln(out)
}

// Prepare creates the destination's spreadsheet when it has no id, gives
// it its tables' tabs, Today and Summary, and shares it with its account
// and its people, emailing them only when notify says so; every line it
// prints on out begins with "destination NAME: ". It returns the
// spreadsheet's id. Run again with that id, it changes nothing.
func (d Destination) Prepare(ctx context.Context, svc *sheets.Service, dsvc func() (*drive.Service, error), notify bool, out io.Writer) (string, error) {
	id := d.ID
	if id == "" {
		ss := &sheets.Spreadsheet{Properties: &sheets.SpreadsheetProperties{Title: d.Title, TimeZone: d.Spec.TimeZone}}
		for _, t := range d.Tabs {
			ss.Sheets = append(ss.Sheets, &sheets.Sheet{Properties: &sheets.SheetProperties{Title: t.Title}})
		}
		made, err := svc.Spreadsheets.Create(ss).Fields("spreadsheetId").Context(ctx).Do()
		if err != nil {
			return "", Explain(err, "creating the spreadsheet of destination "+d.Name)
		}
		id = made.SpreadsheetId
		fmt.Fprintf(out, "destination %s: created the spreadsheet %q, id %s\n", d.Name, d.Title, id)
	}
	var buf strings.Builder
	if err := Tabs(ctx, svc, id, d.Tabs, &buf); err != nil {
		return id, Explain(err, "the spreadsheet of destination "+d.Name)
	}
	prefixed(out, d.Name, buf.String())
	if d.HasSpec {
		did, err := meetingtabs.Prepare(ctx, svc, id, d.Spec)
		if err != nil {
			return id, Explain(err, "the spreadsheet of destination "+d.Name)
		}
		prefixed(out, d.Name, strings.Join(did, "\n"))
	}
	if d.Account == "" && len(d.Share) == 0 {
		return id, nil
	}
	ds, err := dsvc()
	if err != nil {
		return id, err
	}
	buf.Reset()
	if d.Account == "" {
		fmt.Fprintf(&buf, "not shared with its service account (-destination-accounts names none): terraform output destinations\n")
	} else if err := Share(ctx, ds, id, d.Account, "writer", false, &buf); err != nil {
		return id, Explain(err, "sharing the spreadsheet of destination "+d.Name)
	}
	for _, s := range d.Share {
		if err := Share(ctx, ds, id, s.Email, RoleOf(s), notify, &buf); err != nil {
			return id, Explain(err, "sharing the spreadsheet of destination "+d.Name)
		}
	}
	prefixed(out, d.Name, buf.String())
	return id, nil
}

// RoleOf is the Drive role of a share: reader unless said.
func RoleOf(s config.Share) string {
	if s.Role == "" {
		return config.RoleReader
	}
	return s.Role
}

// roleRank orders Drive's roles by what they allow.
var roleRank = map[string]int{"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5, "owner": 6}

// Share gives email the role on the file, unless it has that or more.
// A person who has less keeps it, and the line says so: a role lowered
// by hand is the owner's decision.
func Share(ctx context.Context, svc *drive.Service, fileID, email, role string, notify bool, out io.Writer) error {
	perms, err := svc.Permissions.List(fileID).SupportsAllDrives(true).
		Fields("permissions(id,emailAddress,role,type)").Context(ctx).Do()
	if err != nil {
		return err
	}
	for _, p := range perms.Permissions {
		if !strings.EqualFold(p.EmailAddress, email) {
			continue
		}
		if roleRank[p.Role] >= roleRank[role] {
			fmt.Fprintf(out, "already shared with %s (%s)\n", email, p.Role)
		} else {
			fmt.Fprintf(out, "shared with %s as %s, not %s: left as it is (change it in Share if meant)\n", email, p.Role, role)
		}
		return nil
	}
	_, err = svc.Permissions.Create(fileID, &drive.Permission{Type: "user", Role: role, EmailAddress: email}).
		SendNotificationEmail(notify).SupportsAllDrives(true).Context(ctx).Do()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "shared with %s as %s\n", email, role)
	return nil
}

// prefixed writes each line of text after "destination NAME: ".
func prefixed(out io.Writer, name, text string) {
	for line := range strings.Lines(text) {
		if line = strings.TrimRight(line, "\n"); line != "" {
			fmt.Fprintf(out, "destination %s: %s\n", name, line)
		}
	}
}
