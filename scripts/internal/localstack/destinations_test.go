package localstack

import (
	stdcmp "cmp"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/gsheetstest"
)

// The stack prepares its destinations as bootstrap-sheet prepares real
// ones: each spreadsheet is shared, in the emulated Drive, with its own
// account as an Editor and with the people of its share: in their role,
// nobody emailed; the READY line lists the people Drive holds. Preparing
// again changes nothing.
func TestDestinationsAreShared(t *testing.T) {
	cfg, err := config.Load(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	emu, err := StartEmulator(cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if len(emu.Destinations) == 0 {
		t.Fatal("the example configuration's destinations were not prepared")
	}
	for name, d := range emu.Destinations {
		perms, err := emu.Server.Permissions(d.SpreadsheetID)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := map[string]string{}
		for _, p := range perms {
			got[p.Email] = p.Role
			if p.Notified {
				t.Errorf("%s: %s was emailed, want nobody", name, p.Email)
			}
		}
		want := map[string]string{d.Account: "writer"}
		var people []string
		for _, s := range cfg.Destinations[name].Share {
			want[s.Email] = stdcmp.Or(s.Role, config.RoleReader)
			people = append(people, s.Email)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: shared with %v, want %v", name, got, want)
		}
		if !slices.Equal(d.Share, people) {
			t.Errorf("%s: READY share = %q, want %q", name, d.Share, people)
		}
	}

	accounts, ids := map[string]string{}, map[string]string{}
	for name, d := range emu.Destinations {
		accounts[name], ids[name] = d.Account, d.SpreadsheetID
	}
	emu.Server.ResetStats()
	again, _, err := prepareDestinations(t.Context(), cfg, emu.Server, emu.Ready.SheetsEndpoint, accounts, ids)
	if err != nil {
		t.Fatal(err)
	}
	st := emu.Server.Stats()
	if st.Writes != 0 || st.Requests[gsheetstest.MethodDrivePermissionsCreate] != 0 || !cmp.Equal(again, emu.Destinations) {
		t.Errorf("prepared again: %d writes, %d permissions created, READY %+v; want nothing changed from %+v",
			st.Writes, st.Requests[gsheetstest.MethodDrivePermissionsCreate], again, emu.Destinations)
	}
}
