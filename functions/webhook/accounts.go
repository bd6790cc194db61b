package webhookfn

import "github.com/safeview/safeview/shared/view"

// Environment variables of the destinations' service accounts: see
// package view.
const (
	EnvDestinationAccounts     = view.EnvDestinationAccounts
	EnvIAMCredentialsEndpoint  = view.EnvIAMCredentialsEndpoint
	EnvDestinationSpreadsheets = view.EnvDestinationSpreadsheets
)

var (
	destinationSpreadsheets = view.DestinationSpreadsheets
	destinationAccounts     = view.DestinationAccounts
	destinationSheets       = view.DestinationSheets
)
