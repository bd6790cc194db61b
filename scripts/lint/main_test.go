package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
		want []string // lines of stdout, or of stderr for code 2
	}{
		{"example configuration", []string{"../../functions/webhook/safeview.yaml"}, 0, []string{"../../functions/webhook/safeview.yaml: ok"}},
		{"raw personal data", []string{"testdata/bad.yaml"}, 1, []string{
			`testdata/bad.yaml:11: tables[0].columns[1].op: table "Orders" column "email" takes personal data (customer.email) without an operator that removes identity (one of: drop, mask_name, mask_email, mask_phone, last4, pseudonym)`,
			`testdata/bad.yaml:12: tables[0].columns[2].op: table "Orders" column "zip" takes personal data (raw path shipping_address.zip reads shopify's personal data at shipping_address) without an operator that removes identity (one of: drop, mask_name, mask_email, mask_phone, last4, pseudonym)`,
		}},
		{"compile errors", []string{"testdata/filter.yaml"}, 1, []string{
			`testdata/filter.yaml:9: tables[0].filter: ERROR: <input>:1:6: undefined field 'statuz' | order.statuz == "paid" | .....^`,
		}},
		{"missing file", []string{"testdata/missing.yaml"}, 1, []string{"config: open testdata/missing.yaml: no such file or directory"}},
		{"usage", nil, 2, []string{"usage: go run ./scripts/lint path/to/safeview.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			out := stdout.String()
			if code == 2 {
				out = stderr.String()
			}
			if got := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); code != tt.code || strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("run(%q) = %d\n%s\nwant %d\n%s", tt.args, code, out, tt.code, strings.Join(tt.want, "\n"))
			}
		})
	}
}
