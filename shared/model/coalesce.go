package model

import (
	"cmp"
	"slices"
)

// Pending is one upsert of an identity waiting in a destination's group
// commit, with what Coalesce decides for it.
type Pending struct {
	Row Row
	// Sent says a write carrying this upsert went out and its answer was
	// lost: if the destination now holds its version, it was this write.
	Sent bool
	// Result is the upsert's answer, once decided.
	Result Result
}

// Coalesce decides what the pending upserts of one identity do, against
// the row as the destination holds it (exists, at version stored) and the
// newest version a filter kept out (mark, 0 for none): the versions apply
// in version order, as if they had arrived one after the other. It
// returns the upsert whose row is written (nil: none), the one whose row
// leaves the destination (Row.Leave; nil: none), and the version to
// remember as kept out (0: none). Every upsert gets its Result. Every
// destination decides with it, so that they all answer alike.
func Coalesce(exists bool, stored, mark int64, ops []*Pending) (win, remove *Pending, raised int64) {
	sorted := slices.Clone(ops)
	slices.SortStableFunc(sorted, func(a, b *Pending) int { return cmp.Compare(a.Row.Version, b.Row.Version) })
	landed := false
	keptOut := func(o *Pending) {
		v := o.Row.Version
		o.Result = Filtered
		switch {
		case v < mark:
			o.Result = Stale
		case v > mark:
			mark, raised = v, v
		}
	}
	for _, o := range sorted {
		v := o.Row.Version
		switch {
		case o.Row.Leave && !exists && v < mark:
			o.Result = Stale
		case o.Row.Leave && !exists:
			// Never held here: nothing to remove, and no mark, so that a
			// partner's destination never names an order of another
			// store, not even in its hidden marks.
			o.Result = Filtered
		case o.Row.Leave && (v < stored || v < mark):
			o.Result = Stale
		case o.Row.Leave && !o.Row.Update && v == stored:
			o.Result = Unchanged
		case o.Row.Leave && !o.Row.Update:
			// The table's update policy keeps the row as it is, here as
			// in the main spreadsheet.
			keptOut(o)
		case o.Row.Leave:
			// As new as the row or newer: the row leaves the destination
			// (at the same version, the where changed since it was
			// written), and its version is remembered, so that no older
			// one brings it back. A newer upsert may still write it again.
			o.Result = Removed
			remove, win, stored = o, nil, v
			if v > mark {
				mark, raised = v, v
			}
		case !exists && !o.Row.Insert:
			keptOut(o)
		case !exists && v < mark:
			o.Result = Stale // a newer version was kept out: this one may not enter
		case !exists:
			exists, stored, win = true, v, o
			o.Result = Written
		case v < stored:
			o.Result = Stale
		case v == stored && o.Sent && !landed && win == nil && remove == nil:
			// This upsert's earlier write landed though its answer was lost.
			landed = true
			o.Result = Written
		case v == stored:
			o.Result = Unchanged
		case !o.Row.Update:
			keptOut(o)
		case v < mark:
			o.Result = Stale
		default:
			stored, win, remove = v, o, nil
			o.Result = Written
		}
	}
	for _, o := range ops {
		switch v := o.Row.Version; {
		case o != win && v < stored && (o.Result == Written || o.Result == Unchanged):
			o.Result = Stale
		case o.Result == Filtered && v < mark:
			o.Result = Stale
		case o.Result == Removed && o != remove:
			o.Result = Stale
		}
	}
	if remove == nil && exists && stored >= raised {
		raised = 0 // the row holds a newer version: no mark needed
	}
	return win, remove, raised
}
