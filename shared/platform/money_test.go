package platform

import "testing"

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "12.50", want: "12.50"},
		{in: "12.5", want: "12.5"},
		{in: "012.000", want: "12.00"},
		{in: "0.125", want: "0.125"},
		{in: "-3", want: "-3"},
		{in: "-0.00", want: "0.00"},
		{in: "+7", want: "7"},
		{in: ".5", want: "0.5"},
		{in: "99999999999999999999.99", want: "99999999999999999999.99"},
		{in: "", bad: true},
		{in: "1e2", bad: true},
		{in: "1.", bad: true},
		{in: "abc", bad: true},
		{in: "1,50", bad: true},
		{in: "-", bad: true},
		{in: "123456789012345678901234567890.123456789012345678901", bad: true},
		{in: "1234567890123456789012345678901", bad: true},
		{in: "000000000000000000000000000000000000001.100000000000000000000000000", want: "1.10"},
		{in: "0.000000000000000001", want: "0.000000000000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDecimal(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseDecimal(%q) = %q, want error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDecimal(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFromMinorUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		units, currency string
		want            Money
	}{
		{"1250", "eur", Money{"12.50", "EUR"}},
		{"5", "usd", Money{"0.05", "USD"}},
		{"0", "usd", Money{"0.00", "USD"}},
		{"-1999", "gbp", Money{"-19.99", "GBP"}},
		{"1500", "jpy", Money{"1500", "JPY"}},
		{"1234", "kwd", Money{"1.234", "KWD"}},
		{"900719925474099312", "usd", Money{"9007199254740993.12", "USD"}},
	}
	for _, tt := range tests {
		t.Run(tt.units+tt.currency, func(t *testing.T) {
			got, err := FromMinorUnits(tt.units, tt.currency)
			if err != nil || got != tt.want {
				t.Fatalf("FromMinorUnits(%q, %q) = %v, %v, want %v", tt.units, tt.currency, got, err, tt.want)
			}
		})
	}
	if _, err := FromMinorUnits("12.5", "usd"); err == nil {
		t.Errorf("FromMinorUnits(%q) succeeded, want error", "12.5")
	}
}
