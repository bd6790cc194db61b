package webhookfn

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/safeview/safeview/shared/erasure"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/pipeline"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/view"
	"github.com/safeview/safeview/shared/webhook"
)

// README.md's table of answers is answers, row by row: the case, the
// status and what the answer's reason says.
func TestAnswersMatchTheREADME(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "| case | status |"):
			in = true
		case in && strings.HasPrefix(line, "| ---"):
		case in && strings.HasPrefix(line, "|"):
			cells := strings.Split(strings.Trim(line, "|"), " | ")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			rows = append(rows, cells)
		case in:
			in = false
		}
	}
	if len(rows) != len(answers) {
		t.Fatalf("README's table of answers has %d rows, answers %d", len(rows), len(answers))
	}
	for i, a := range answers {
		want := []string{a.Case, strconv.Itoa(a.Status), a.Body}
		if strings.Join(rows[i], " | ") != strings.Join(want, " | ") {
			t.Errorf("README answers row %d = %q, want %q", i+1, rows[i], want)
		}
	}
}

// Each row of the table answers the errors it is for, with its status
// and a reason its README row shows.
func TestAnswerFor(t *testing.T) {
	t.Parallel()
	tableErr := func(err error, rejected bool) error {
		return fmt.Errorf("write: %w", &view.Error{Table: "Orders", Rejected: rejected, Err: err})
	}
	tests := []struct {
		err    error
		status int
		says   string
	}{
		{&signatureError{fmt.Errorf("%w: no X-Shopify-Hmac-Sha256 header", webhook.ErrMissingSignature)}, http.StatusUnauthorized, "missing signature: no X-Shopify-Hmac-Sha256 header"},
		{errUnknownSource, http.StatusNotFound, "unknown source"},
		{errMethod, http.StatusMethodNotAllowed, "only POST is accepted"},
		{errTooLarge, http.StatusRequestEntityTooLarge, "body too large"},
		{errSlowBody, http.StatusRequestTimeout, "body not received in time"},
		{fmt.Errorf("%w: unexpected EOF", errReadBody), http.StatusBadRequest, "could not read body"},
		{&decodeError{fmt.Errorf("%w: field %q is not a decimal", platform.ErrMalformed, "total_price")}, http.StatusBadRequest, `malformed payload: field "total_price" is not a decimal`},
		{tableErr(&pipeline.KeyError{Column: "order_id", Reason: "holds personal data (email)"}, true), http.StatusBadRequest,
			`table Orders: column "order_id": the key column's value cannot identify a row: it holds personal data (email)`},
		{tableErr(pipeline.ErrNoKey, true), http.StatusBadRequest, "event lacks the fields of table Orders"},
		{fmt.Errorf("resolve: %w", erasure.ErrNoSource), http.StatusBadRequest, "name the source of the customer id and order ids"},
		{errErasureSource, http.StatusBadRequest, "the request's source is not a configured source of orders or bookings"},
		{errShuttingDown, http.StatusServiceUnavailable, "shutting down"},
		{fmt.Errorf("%w: %w", errShuttingDown, model.ErrUnavailable), http.StatusServiceUnavailable, "shutting down"},
		{tableErr(fmt.Errorf("%w: tab %q: not written within the deadline", model.ErrUnavailable, "Orders"), false), http.StatusServiceUnavailable, "sheet unavailable, retry later"},
		{fmt.Errorf("%w: %w", errSecret, errors.New("secret shopify-webhook-secret has no enabled version")), http.StatusServiceUnavailable, "signing secret unavailable"},
		{tableErr(errors.New("sheets: no tab \"Orders\" configured"), false), http.StatusInternalServerError, "internal error"},
	}
	seen := map[int]bool{}
	for _, tt := range tests {
		status, says, _ := answerFor(tt.err)
		if status != tt.status || says != tt.says {
			t.Errorf("answerFor(%v) = %d %q, want %d %q", tt.err, status, says, tt.status, tt.says)
			continue
		}
		for i, a := range answers {
			if a.is(tt.err) {
				seen[i] = true
				// The README row shows the reason, or says what it holds.
				if !strings.Contains(a.Body, "`"+says) && !strings.Contains(a.Body, "what is wrong") && !strings.Contains(a.Body, "the table, the column and why") {
					t.Errorf("row %q: body %q does not show %q", a.Case, a.Body, says)
				}
				break
			}
		}
	}
	for i, a := range answers {
		if !seen[i] {
			t.Errorf("no test case reaches the row %q", a.Case)
		}
	}
}
