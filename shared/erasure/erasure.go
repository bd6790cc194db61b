// Package erasure resolves a data subject's request (erase what you hold
// about me, or tell me what it is) and a shop's (remove my rows) into the
// rows of the sheet they concern, as selections for the sink
// (model.Select). It is pure: the sink reads and writes.
//
// The sheet holds no direct identifier, so a customer is found the way
// the pipeline wrote them: every pseudonym the configuration could have
// produced for the email, id and phone the request gives, computed exactly
// as the pipeline computes it (customer.ref, customer.email, customer.id,
// customer.phone and raw paths through the pseudonym operator, then the
// guard), and the orders the request names. Masked values (h***@…) are
// not unique and are never matched; they are cleared with the rows found.
package erasure

import (
	"errors"
	"fmt"
	"slices"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/privacy"
)

// Request is a request to resolve.
type Request struct {
	Scope platform.ErasureScope
	// Customer holds the email, id and phone the request gives; any may
	// be empty.
	Customer platform.Customer
	// OrderIDs are orders the request names; they are looked up in the
	// order tables the sources feed.
	OrderIDs []string
	// Shop is the shop's domain when the platform names one (Shopify):
	// the store cell of its rows, unless the source sets store:.
	Shop string
	// Sources are the configured sources the customer id and the order
	// ids belong to (ids are per platform, and per shop). None: only the
	// email and the phone, which are the same person's on any platform,
	// can be looked for.
	Sources []string
}

// ErrNoSource means the request gives a customer id or order ids without
// saying which source they belong to.
var ErrNoSource = errors.New("customer and order ids need the source they belong to")

// ErrNoKey means the configuration writes pseudonyms and no key was given
// to compute them.
var ErrNoKey = errors.New("the configuration writes pseudonyms: the pseudonym key is needed to find them")

// Plan is what a request resolves to.
type Plan struct {
	// Select picks the rows concerned, for gsheets.Sink.Apply.
	Select []model.Select
	// Unmatched lists the tables where a shop's removal leaves the rows
	// written before rows named their source: other sources feed them
	// too, so those rows cannot be tied to the shop.
	Unmatched []string
}

// Resolve finds the rows a request concerns. keys may be nil when no
// table writes pseudonyms.
func Resolve(cfg *config.Config, keys *privacy.Keys, r Request) (Plan, error) {
	for _, s := range r.Sources {
		if cfg.Sources[s] == nil || cfg.Sources[s].Platform == config.ErasurePlatform {
			return Plan{}, fmt.Errorf("erasure: no source %q feeds a table", s)
		}
	}
	if r.Scope == platform.EraseShop {
		return shop(cfg, r)
	}
	if len(r.Sources) == 0 && (r.Customer.ID != "" || len(r.OrderIDs) > 0) {
		return Plan{}, ErrNoSource
	}
	var p Plan
	for _, t := range cfg.Tables {
		fed := slices.ContainsFunc(r.Sources, func(s string) bool { return cfg.Feeds(t, s) })
		// What identifies the person anywhere: email and phone.
		anywhere := model.Select{Tab: t.Tab}
		// What identifies them in their sources only: ids, and orders,
		// in the rows of those sources, and in the rows written before
		// rows named their source, where the store tells sources apart.
		own := model.Select{Tab: t.Tab, Where: stores(cfg, t, r), Sources: r.Sources, Legacy: true}
		if fed && t.Kind == string(platform.KindOrder) {
			own.Keys = r.OrderIDs
		}
		for _, col := range t.Columns {
			if col.Op != "pseudonym" {
				continue
			}
			values, ids := candidates(cfg, col, r)
			if len(values)+len(ids) > 0 && keys == nil {
				return Plan{}, ErrNoKey
			}
			if v := pseudonyms(keys, values); len(v) > 0 {
				anywhere.Any = append(anywhere.Any, model.Cells{Header: col.Header, Values: v})
			}
			if v := pseudonyms(keys, ids); len(v) > 0 && fed {
				own.Any = append(own.Any, model.Cells{Header: col.Header, Values: v})
			}
		}
		if len(anywhere.Any) > 0 {
			p.Select = append(p.Select, anywhere)
		}
		if len(own.Keys)+len(own.Any) > 0 {
			p.Select = append(p.Select, own)
		}
	}
	return p, nil
}

// candidates returns the values a pseudonym column could have taken for
// the request's customer: those of the email and the phone, and those of
// the ids, which hold in the tables of the request's sources only.
func candidates(cfg *config.Config, col *config.Column, r Request) (values, ids []string) {
	c := r.Customer
	email := platform.CustomerRef(&platform.Event{Customer: platform.Customer{Email: c.Email}})
	var refs []string // customer.ref of an id: "<platform>:<id>"
	for _, s := range r.Sources {
		ev := &platform.Event{Platform: cfg.Sources[s].Platform, Customer: platform.Customer{ID: c.ID}}
		if ref := platform.CustomerRef(ev); ref != "" && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	switch {
	case col.Field == "customer.ref":
		return nonEmpty(email), refs
	case col.Field == "customer.email":
		return nonEmpty(c.Email), nil
	case col.Field == "customer.phone":
		return nonEmpty(c.Phone), nil
	case col.Field == "customer.id":
		return nil, nonEmpty(c.ID)
	case col.Path != "":
		// A raw path of the payload: whichever of the customer's values
		// it took.
		return nonEmpty(c.Email, c.Phone), nonEmpty(c.ID)
	}
	return nil, nil // customer.name (never given by a request), other fields
}

// pseudonyms computes what the pipeline writes for each value: the
// pseudonym operator's output, which the guard leaves alone, and, should
// it differ, what earlier versions wrote: that output through the guard.
func pseudonyms(keys *privacy.Keys, values []string) []string {
	op, _ := privacy.LookupOperator("pseudonym")
	var out []string
	for _, v := range values {
		p := op.Apply(v, keys)
		g, _ := privacy.Guard(p)
		for _, w := range []string{p, g} {
			if w != "" && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// storeColumn returns the header of the column that takes the store of
// the table's kind, "" when there is none.
func storeColumn(t *config.Table) string {
	for _, col := range t.Columns {
		if col.Field == t.Kind+".store" && col.Op == "" {
			return col.Header
		}
	}
	return ""
}

// storeCells returns what the store column holds in the rows of a source:
// its store: label, else (Shopify) the shop's domain; false when unknown.
func storeCell(cfg *config.Config, source string, r Request) (string, bool) {
	s := cfg.Sources[source]
	switch {
	case s.Store != "":
		return s.Store, true
	case s.Platform == "shopify" && r.Shop != "":
		return r.Shop, true
	}
	return "", false
}

// stores narrows the ids of a request to the rows of its sources, in a
// table that tells stores apart; nil when it cannot.
func stores(cfg *config.Config, t *config.Table, r Request) *model.Cells {
	h := storeColumn(t)
	if h == "" || len(r.Sources) == 0 {
		return nil
	}
	c := &model.Cells{Header: h}
	for _, s := range r.Sources {
		v, ok := storeCell(cfg, s, r)
		if !ok {
			return nil
		}
		c.Values = appendGuarded(c.Values, v)
	}
	return c
}

// shop picks every row a shop's sources wrote: in each table they feed,
// the rows that name one of them as their source (model.Row.Source) and,
// where the store column shows shop domains, hold the shop's.
// Rows written before rows named their source are picked too where only
// those sources feed the table; where other sources feed it too, nothing
// in such a row says whose it is (a store cell is a label any source may
// show, and a replayed request must never reach another source's rows),
// so they are left and the table is listed in Unmatched.
func shop(cfg *config.Config, r Request) (Plan, error) {
	if len(r.Sources) == 0 {
		return Plan{}, ErrNoSource
	}
	var p Plan
	for _, t := range cfg.Tables {
		ours, others := false, false
		for _, name := range cfg.SourceNames {
			switch {
			case !cfg.Feeds(t, name):
			case slices.Contains(r.Sources, name):
				ours = true
			default:
				others = true
			}
		}
		if !ours {
			continue
		}
		sel := model.Select{Tab: t.Tab, All: true, Sources: r.Sources, Legacy: !others}
		if h := storeColumn(t); h != "" && r.Shop != "" && !labelled(cfg, r.Sources) {
			// The store cell holds the shop's domain: a source may serve
			// several shops (an app), and only this one's rows go.
			sel.All, sel.Any = false, []model.Cells{{Header: h, Values: appendGuarded(nil, r.Shop)}}
		}
		p.Select = append(p.Select, sel)
		if others {
			p.Unmatched = append(p.Unmatched, t.Tab)
		}
	}
	return p, nil
}

// labelled reports whether one of the sources shows a store: label in
// place of the shop's domain.
func labelled(cfg *config.Config, sources []string) bool {
	return slices.ContainsFunc(sources, func(s string) bool { return cfg.Sources[s].Store != "" })
}

// appendGuarded adds a value as the pipeline writes it: through the guard.
func appendGuarded(values []string, v string) []string {
	if g, _ := privacy.Guard(v); g != "" && !slices.Contains(values, g) {
		values = append(values, g)
	}
	return values
}

func nonEmpty(v ...string) []string {
	var out []string
	for _, s := range v {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
