package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/scripts/internal/meetingtabs"
	"github.com/safeview/safeview/shared/config"
)

// destinationFlags are the command line of the destinations' preparation.
type destinationFlags struct {
	// names are the destinations to prepare: "all", "none", or names
	// separated by commas.
	names string
	// accounts are the destinations' service accounts, in JSON, name to
	// email (terraform output destinations): each spreadsheet is shared
	// with its own account, as an Editor.
	accounts string
	// ids are the destinations' spreadsheet ids the configuration does
	// not give, in JSON, name to id (var.destination_spreadsheet_ids).
	ids string
	// notify emails the people of share: when their access is granted.
	notify bool
}

// destination is one destination to prepare.
type destination struct {
	name, id, title, account string
	tabs                     []tab
	spec                     meetingtabs.Spec
	hasSpec                  bool
	share                    []config.Share
}

// destinations reads the flags into the destinations to prepare.
func (f destinationFlags) destinations(cfg *config.Config) ([]destination, error) {
	var names []string
	switch f.names {
	case "", "none":
		return nil, nil
	case "all":
		names = cfg.DestinationNames
	default:
		names = strings.Split(f.names, ",")
	}
	accounts, ids := map[string]string{}, map[string]string{}
	for flag, m := range map[string]*map[string]string{"-destination-accounts": &accounts, "-destination-spreadsheets": &ids} {
		raw := map[string]string{"-destination-accounts": f.accounts, "-destination-spreadsheets": f.ids}[flag]
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if err := json.Unmarshal([]byte(raw), m); err != nil {
			return nil, fmt.Errorf("%s: want a JSON object of destination names and values (terraform output destinations)", flag)
		}
		for name := range *m {
			if cfg.Destinations[name] == nil {
				return nil, fmt.Errorf("%s: %q is not a destination of the configuration", flag, name)
			}
		}
	}
	var out []destination
	for _, name := range names {
		d := cfg.Destinations[strings.TrimSpace(name)]
		if d == nil {
			return nil, fmt.Errorf("-destinations: %q is not a destination of the configuration (it has %s)", name, strings.Join(cfg.DestinationNames, ", "))
		}
		dst := destination{name: name, id: d.Spreadsheet.ID, title: d.Spreadsheet.Title, account: accounts[name], share: d.Share}
		if id := ids[name]; id != "" {
			dst.id = id
		}
		if dst.title == "" {
			dst.title = "Safeview – " + name
		}
		if dst.account != "" && !strings.HasSuffix(dst.account, ".gserviceaccount.com") {
			return nil, fmt.Errorf("-destination-accounts: %q of %s is not a service account email", dst.account, name)
		}
		for _, t := range cfg.DestinationTables(d) {
			dst.tabs = append(dst.tabs, tab{title: t.Tab, headers: cfg.ColumnsFor(d, t)})
		}
		dst.spec, dst.hasSpec = meetingtabs.SpecFor(cfg, d)
		out = append(out, dst)
	}
	return out, nil
}

// plan prints what preparing a destination would do (-dry-run).
func (d destination) plan(out io.Writer) {
	what := "spreadsheet " + d.id
	if d.id == "" {
		what = fmt.Sprintf("a new spreadsheet %q", d.title)
	}
	fmt.Fprintf(out, "destination %s: %s", d.name, what)
	for _, t := range d.tabs {
		fmt.Fprintf(out, ", tab %q (%s)", t.title, strings.Join(t.headers, " | "))
	}
	if d.hasSpec {
		fmt.Fprintf(out, ", tabs %q and %q over %s", meetingtabs.TodayTab, meetingtabs.SummaryTab, d.spec.Tab)
	}
	if d.account != "" {
		fmt.Fprintf(out, "; shared with %s as an Editor", d.account)
	}
	for _, s := range d.share {
		fmt.Fprintf(out, "; with %s as %s", s.Email, roleOf(s))
	}
	fmt.Fprintln(out)
}

// prepare creates the destination's spreadsheet when it has no id, gives
// it its tables' tabs, Today and Summary, and shares it with its account
// and its people. It returns the spreadsheet's id.
func (d destination) prepare(ctx context.Context, svc *sheets.Service, dsvc func() (*drive.Service, error), notify bool, out io.Writer) (string, error) {
	id := d.id
	if id == "" {
		ss := &sheets.Spreadsheet{Properties: &sheets.SpreadsheetProperties{Title: d.title, TimeZone: d.spec.TimeZone}}
		for _, t := range d.tabs {
			ss.Sheets = append(ss.Sheets, &sheets.Sheet{Properties: &sheets.SheetProperties{Title: t.title}})
		}
		made, err := svc.Spreadsheets.Create(ss).Fields("spreadsheetId").Context(ctx).Do()
		if err != nil {
			return "", explain(err, "creating the spreadsheet of destination "+d.name)
		}
		id = made.SpreadsheetId
		fmt.Fprintf(out, "destination %s: created the spreadsheet %q, id %s\n", d.name, d.title, id)
	}
	var buf strings.Builder
	if err := prepare(ctx, svc, id, d.tabs, &buf); err != nil {
		return id, explain(err, "the spreadsheet of destination "+d.name)
	}
	prefixed(out, d.name, buf.String())
	if d.hasSpec {
		did, err := meetingtabs.Prepare(ctx, svc, id, d.spec)
		if err != nil {
			return id, explain(err, "the spreadsheet of destination "+d.name)
		}
		prefixed(out, d.name, strings.Join(did, "\n"))
	}
	if d.account == "" && len(d.share) == 0 {
		return id, nil
	}
	ds, err := dsvc()
	if err != nil {
		return id, err
	}
	buf.Reset()
	if d.account == "" {
		fmt.Fprintf(&buf, "not shared with its service account (-destination-accounts names none): terraform output destinations\n")
	} else if err := shareAs(ctx, ds, id, d.account, "writer", false, &buf); err != nil {
		return id, explain(err, "sharing the spreadsheet of destination "+d.name)
	}
	for _, s := range d.share {
		if err := shareAs(ctx, ds, id, s.Email, roleOf(s), notify, &buf); err != nil {
			return id, explain(err, "sharing the spreadsheet of destination "+d.name)
		}
	}
	prefixed(out, d.name, buf.String())
	return id, nil
}

// roleOf is the Drive role of a share: reader unless said.
func roleOf(s config.Share) string {
	if s.Role == "" {
		return config.RoleReader
	}
	return s.Role
}

// roleRank orders Drive's roles by what they allow.
var roleRank = map[string]int{"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5, "owner": 6}

// shareAs gives email the role on the file, unless it has that or more.
// A person who has less keeps it, and the line says so: a role lowered
// by hand is the owner's decision.
func shareAs(ctx context.Context, svc *drive.Service, fileID, email, role string, notify bool, out io.Writer) error {
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

// prepareDestinations prepares each destination, then prints the ids of
// the spreadsheets the configuration does not name, as Terraform takes
// them.
func prepareDestinations(ctx context.Context, dests []destination, svc *sheets.Service, dsvc func() (*drive.Service, error), notify bool, out io.Writer) error {
	made := map[string]string{}
	for _, d := range dests {
		id, err := d.prepare(ctx, svc, dsvc, notify, out)
		if id != "" && id != d.id {
			made[d.name] = id
		}
		if err != nil {
			return err
		}
	}
	if len(made) > 0 {
		js, _ := json.Marshal(made)
		fmt.Fprintf(out, "set in terraform.tfvars, then terraform apply (and pass it as -destination-spreadsheets next time):\n  destination_spreadsheet_ids = %s\n", js)
	}
	return nil
}
