// Package sheetstest is an in-memory server that speaks the Google Sheets v4
// REST API well enough for the real google.golang.org/api/sheets/v4 client,
// for tests, the local development stack and benchmarks.
package sheetstest
