package view_test

import (
	"context"
	"errors"
	"testing"

	"github.com/safeview/safeview/shared/model"
)

// Close closes every destination: a write after it is refused with an
// error the platform retries, in the main spreadsheet and the partners'.
func TestCloseClosesEveryDestination(t *testing.T) {
	t.Parallel()
	v, _ := partners(t)
	ctx := context.Background()
	if _, err := v.Write(ctx, "shop", storeOrder("1", "Vancouver", "paid", 1)); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(ctx); err != nil {
		t.Fatalf("Close = %v", err)
	}
	_, err := v.Write(ctx, "shop", storeOrder("2", "Vancouver", "paid", 1))
	if !errors.Is(err, model.ErrUnavailable) {
		t.Fatalf("Write after Close = %v, want model.ErrUnavailable", err)
	}
	for _, name := range []string{"", "vancouver", "everything"} {
		if got := v.StatsOf(name).Rows; got != 1 {
			t.Errorf("destination %q wrote %d rows, want 1", name, got)
		}
	}
}
