package gsheetstest_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"

	"github.com/safeview/safeview/shared/gsheetstest"
)

// A spreadsheet made through Drive is a spreadsheet of the Sheets API, and
// the other way round; sharing it records who may open it and whether
// Drive emailed them.
func TestDriveCreatesAndSharesSpreadsheets(t *testing.T) {
	t.Parallel()
	srv, ds := newDrive(t)
	ctx := t.Context()
	f, err := ds.Files.Create(&drive.File{Name: "Safeview – Lyon", MimeType: "application/vnd.google-apps.spreadsheet"}).Context(ctx).Do()
	if err != nil {
		t.Fatalf("Files.Create() error = %v", err)
	}
	if _, err := srv.Snapshot(f.Id, "Sheet1"); err != nil {
		t.Errorf("the file %s made through Drive is no spreadsheet with Sheet1: %v", f.Id, err)
	}
	got, err := ds.Files.Get(f.Id).Context(ctx).Do()
	if err != nil || got.Name != "Safeview – Lyon" || got.MimeType != "application/vnd.google-apps.spreadsheet" {
		t.Errorf("Files.Get(%s) = %+v, %v, want the spreadsheet's name and type", f.Id, got, err)
	}
	made := srv.CreateSpreadsheet("made through Sheets", "Orders")

	for _, p := range []struct {
		email, role, message string
		notify               bool
	}{
		{"Manager.Lyon@example.com", "reader", "", false},
		{"ecommerce@example.com", "commenter", "Your orders, live", true},
		{"safeview-d-lyon@shop.iam.gserviceaccount.com", "writer", "", false},
	} {
		call := ds.Permissions.Create(made, &drive.Permission{Type: "user", Role: p.role, EmailAddress: p.email}).SendNotificationEmail(p.notify)
		if p.message != "" {
			call = call.EmailMessage(p.message)
		}
		if _, err := call.Context(ctx).Do(); err != nil {
			t.Fatalf("Permissions.Create(%s) error = %v", p.email, err)
		}
	}
	// Granting again changes the role of the one permission, as Drive has
	// one per grantee and file.
	if _, err := ds.Permissions.Create(made, &drive.Permission{Type: "user", Role: "commenter", EmailAddress: "manager.lyon@example.com"}).SendNotificationEmail(false).Context(ctx).Do(); err != nil {
		t.Fatal(err)
	}
	perms, err := srv.Permissions(made)
	if err != nil {
		t.Fatal(err)
	}
	for i := range perms {
		perms[i].ID = ""
	}
	want := []gsheetstest.Permission{
		{Type: "user", Role: "commenter", Email: "manager.lyon@example.com"},
		{Type: "user", Role: "commenter", Email: "ecommerce@example.com", Notified: true, EmailMessage: "Your orders, live"},
		{Type: "user", Role: "writer", Email: "safeview-d-lyon@shop.iam.gserviceaccount.com"},
	}
	if diff := cmp.Diff(want, perms); diff != "" {
		t.Errorf("Permissions(%s) (-want +got):\n%s", made, diff)
	}
	if perms, _ := srv.Permissions(f.Id); len(perms) != 0 {
		t.Errorf("Permissions(%s) = %v, want none on the other file", f.Id, perms)
	}

	// Drive answers the email address only when asked for it.
	list, err := ds.Permissions.List(made).Context(ctx).Do()
	if err != nil || len(list.Permissions) != 3 || list.Permissions[0].EmailAddress != "" || list.Permissions[0].Id == "" {
		t.Errorf("Permissions.List(%s) = %+v, %v, want 3 without their email", made, list, err)
	}
	list, err = ds.Permissions.List(made).Fields("permissions(id,emailAddress,role,type)").Context(ctx).Do()
	if err != nil || len(list.Permissions) != 3 || list.Permissions[1].EmailAddress != "ecommerce@example.com" || list.Permissions[1].Role != "commenter" {
		t.Errorf("Permissions.List(%s, fields) = %+v, %v, want the emails", made, list, err)
	}
	if st := srv.Stats(); st.Requests[gsheetstest.MethodDrivePermissionsCreate] != 4 || st.Writes != 0 {
		t.Errorf("Stats() = %+v, want 4 permissions.create and no Sheets write", st)
	}
}

// Drive's errors, in Drive's shape: 404 for an unknown file, 400 for a
// role or type Drive does not know or a user without an email, 403 for
// an owner without transferOwnership; what the emulator does not model
// answers 501.
func TestDriveRefusesWhatDriveRefuses(t *testing.T) {
	t.Parallel()
	srv, ds := newDrive(t)
	ctx := t.Context()
	id := srv.CreateSpreadsheet("shop", "Orders")
	user := func(role, email string) *drive.Permission {
		return &drive.Permission{Type: "user", Role: role, EmailAddress: email}
	}
	for _, c := range []struct {
		name   string
		do     func() error
		code   int
		reason string
	}{
		{"unknown file, list", func() error { _, err := ds.Permissions.List("nope").Context(ctx).Do(); return err }, http.StatusNotFound, "notFound"},
		{"unknown file, create", func() error {
			_, err := ds.Permissions.Create("nope", user("reader", "a@example.com")).Context(ctx).Do()
			return err
		}, http.StatusNotFound, "notFound"},
		{"unknown file, get", func() error { _, err := ds.Files.Get("nope").Context(ctx).Do(); return err }, http.StatusNotFound, "notFound"},
		{"bad role", func() error {
			_, err := ds.Permissions.Create(id, user("editor", "a@example.com")).Context(ctx).Do()
			return err
		}, http.StatusBadRequest, "invalid"},
		{"no role", func() error {
			_, err := ds.Permissions.Create(id, user("", "a@example.com")).Context(ctx).Do()
			return err
		}, http.StatusBadRequest, "required"},
		{"bad type", func() error {
			_, err := ds.Permissions.Create(id, &drive.Permission{Type: "person", Role: "reader", EmailAddress: "a@example.com"}).Context(ctx).Do()
			return err
		}, http.StatusBadRequest, "invalid"},
		{"no email", func() error { _, err := ds.Permissions.Create(id, user("reader", "")).Context(ctx).Do(); return err }, http.StatusBadRequest, "required"},
		{"owner", func() error {
			_, err := ds.Permissions.Create(id, user("owner", "a@example.com")).Context(ctx).Do()
			return err
		}, http.StatusForbidden, "forbidden"},
		{"anyone", func() error {
			_, err := ds.Permissions.Create(id, &drive.Permission{Type: "anyone", Role: "reader"}).Context(ctx).Do()
			return err
		}, http.StatusNotImplemented, "notImplemented"},
		{"a file that is no spreadsheet", func() error {
			_, err := ds.Files.Create(&drive.File{Name: "notes.txt", MimeType: "text/plain"}).Context(ctx).Do()
			return err
		}, http.StatusNotImplemented, "notImplemented"},
		{"deleting a permission", func() error { return ds.Permissions.Delete(id, "1").Context(ctx).Do() }, http.StatusNotImplemented, "notImplemented"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.do()
			var gerr *googleapi.Error
			if !errors.As(err, &gerr) || gerr.Code != c.code || len(gerr.Errors) != 1 || gerr.Errors[0].Reason != c.reason || gerr.Message == "" {
				t.Errorf("error = %v, want %d %s", err, c.code, c.reason)
			}
		})
	}
	if perms, err := srv.Permissions(id); err != nil || len(perms) != 0 {
		t.Errorf("Permissions(%s) = %v, %v, want none after refusals", id, perms, err)
	}
	if _, err := srv.Permissions("nope"); !errors.Is(err, gsheetstest.ErrNotFound) {
		t.Errorf("Permissions(nope) error = %v, want ErrNotFound", err)
	}
}

// newDrive is a server and the real Drive client pointed at it.
func newDrive(t *testing.T) (*gsheetstest.Server, *drive.Service) {
	t.Helper()
	srv := gsheetstest.NewServer(t)
	ds, err := srv.DriveService(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return srv, ds
}
