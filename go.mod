module github.com/safeview/safeview

go 1.25.0
