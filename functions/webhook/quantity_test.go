package webhookfn

import (
	"encoding/json"
	"net/http"
	"testing"
)

// An order line of zero or minus units is refused, not written as "x-3".
func TestNonPositiveQuantity(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for _, q := range []int{0, -3} {
		body := shopifyOrder(t, order{edit: func(doc map[string]any) {
			doc["line_items"].([]any)[0].(map[string]any)["quantity"] = q
		}})
		r := s.send(delivery{topic: "orders/create", body: body, secret: testSecret, event: "evt-q"})
		if r.status != http.StatusBadRequest {
			t.Errorf("order with quantity %d = %d %s, want 400", q, r.status, r.body)
		}
	}
	if rows := s.rows(); len(rows) != 0 {
		t.Errorf("Orders tab = %v, want nothing", rows)
	}
	body, _ := json.Marshal(map[string]any{"event": "order.paid", "data": map[string]any{"order": map[string]any{
		"id": "o1", "status": "paid", "updated_at": "2026-11-20T10:00:00Z", "items": []any{map[string]any{"name": "Mug", "quantity": -1}},
	}}})
	if r := s.post("generic", body, http.Header{}); r.status != http.StatusBadRequest {
		t.Errorf("generic order with quantity -1 = %d %s, want 400", r.status, r.body)
	}
}
