package excel_test

import (
	"testing"

	"github.com/safeview/safeview/shared/excel"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/view"
	"github.com/safeview/safeview/shared/view/viewtest"
)

// The Excel destination keeps the contract of every destination, against
// the emulated Graph, through the real HTTP client and azidentity.
func TestContract(t *testing.T) {
	viewtest.Contract(t, func(t *testing.T, tables []model.Table) (view.Destination, func() view.Destination) {
		w := newWorld(t)
		var xt []excel.Table
		for _, mt := range tables {
			xt = append(xt, w.table(t, mt, "Safeview"+mt.Tab))
		}
		open := func() view.Destination { return w.sink(t, xt, excel.Options{}) }
		return open(), open
	})
}

var _ view.Destination = (*excel.Sink)(nil)
