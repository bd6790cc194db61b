package gsheetstest

import (
	"fmt"
	"slices"

	"google.golang.org/api/sheets/v4"
)

// Pivot tables are stored, not computed, but a pivot table written with
// updateCells is checked as Google's reference describes it, so that a
// pivot Google would refuse fails here too:
//
//   - its source is a range of a sheet of the spreadsheet, inside its
//     grid ("No grid with id: N", "exceeds grid limits");
//   - each row and column group and each value reads a column of the
//     source: sourceColumnOffset counts from the source's first column
//     (C10:E15 has offsets 0 to 2);
//   - a value reads a column or computes a formula, never both; its
//     summarizeFunction is one of PivotValueSummarizeFunction, CUSTOM only
//     with a formula, and a formula only with SUM or CUSTOM;
//   - sortOrder, valueLayout and a date-time rule's type are values of
//     their enums.
//
// The messages of the enums follow Google's message for an unknown enum
// value; the reference gives no text for the others, which are chosen.
var (
	pivotSummarizeFunctions = []string{"SUM", "COUNTA", "COUNT", "COUNTUNIQUE", "AVERAGE", "MAX", "MIN", "MEDIAN",
		"PRODUCT", "STDEV", "STDEVP", "VAR", "VARP", "CUSTOM", "NONE"}
	pivotSortOrders   = []string{"SORT_ORDER_UNSPECIFIED", "ASCENDING", "DESCENDING"}
	pivotValueLayouts = []string{"HORIZONTAL", "VERTICAL"}
	dateTimeRuleTypes = []string{"SECOND", "MINUTE", "HOUR", "HOUR_MINUTE", "HOUR_MINUTE_AMPM", "DAY_OF_WEEK",
		"DAY_OF_YEAR", "DAY_OF_MONTH", "DAY_MONTH", "MONTH", "QUARTER", "YEAR", "YEAR_MONTH", "YEAR_QUARTER", "YEAR_MONTH_DAY"}
)

// checkPivots checks the pivot tables of the rows an updateCells writes.
func checkPivots(t *tx, rows []*sheets.RowData) error {
	for _, rd := range rows {
		if rd == nil {
			continue
		}
		for _, c := range rd.Values {
			if c != nil && c.PivotTable != nil {
				if err := checkPivot(t, c.PivotTable); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkPivot(t *tx, p *sheets.PivotTable) error {
	if p.Source == nil {
		return nil // a data source pivot, or none: applyCell decides
	}
	_, src, err := rangeSheet(t, p.Source)
	if err != nil {
		return err
	}
	width := src.cols()
	offset := func(what string, i int, off int64) error {
		if off < 0 || off >= int64(width) {
			return invalidArgument("Invalid pivot table: %s[%d].sourceColumnOffset %d is outside its source range, %d columns wide.", what, i, off, width)
		}
		return nil
	}
	for what, groups := range map[string][]*sheets.PivotGroup{"rows": p.Rows, "columns": p.Columns} {
		for i, g := range groups {
			if g.DataSourceColumnReference == nil {
				if err := offset(what, i, g.SourceColumnOffset); err != nil {
					return err
				}
			}
			if g.SortOrder != "" && !slices.Contains(pivotSortOrders, g.SortOrder) {
				return badEnum(fmt.Sprintf("pivot_table.%s[%d].sort_order", what, i), "SortOrder", g.SortOrder)
			}
			if r := g.GroupRule; r != nil && r.DateTimeRule != nil && !slices.Contains(dateTimeRuleTypes, r.DateTimeRule.Type) {
				return badEnum(fmt.Sprintf("pivot_table.%s[%d].group_rule.date_time_rule.type", what, i), "DateTimeRuleType", r.DateTimeRule.Type)
			}
		}
	}
	for i, v := range p.Values {
		fn := v.SummarizeFunction
		if fn != "" && !slices.Contains(pivotSummarizeFunctions, fn) {
			return badEnum(fmt.Sprintf("pivot_table.values[%d].summarize_function", i), "PivotValueSummarizeFunction", fn)
		}
		switch {
		case v.Formula != "" && v.SourceColumnOffset != 0:
			return invalidArgument("Invalid value at 'pivot_table.values[%d]' (oneof), oneof field 'value' is already set. Cannot set 'sourceColumnOffset'", i)
		case v.Formula != "" && fn != "SUM" && fn != "CUSTOM":
			return invalidArgument("Invalid pivot table: values[%d] has a formula: its summarizeFunction must be SUM or CUSTOM, not %q.", i, fn)
		case v.Formula == "" && fn == "CUSTOM":
			return invalidArgument("Invalid pivot table: values[%d] summarizes a source column: CUSTOM needs a formula.", i)
		case v.Formula == "" && v.DataSourceColumnReference == nil:
			if err := offset("values", i, v.SourceColumnOffset); err != nil {
				return err
			}
		}
	}
	if p.ValueLayout != "" && !slices.Contains(pivotValueLayouts, p.ValueLayout) {
		return badEnum("pivot_table.value_layout", "PivotTable.PivotValueLayout", p.ValueLayout)
	}
	return nil
}

// badEnum is Google's answer for a value its enum does not have.
func badEnum(path, typ, v string) error {
	return invalidArgument("Invalid value at '%s' (type.googleapis.com/google.apps.sheets.v4.%s), %q", path, typ, v)
}
