// Package platform turns the webhook deliveries of shop platforms into one
// canonical Event, so that a table can take orders from Shopify, WooCommerce
// or Stripe alike.
//
// Each platform is a Preset: it knows which topics are orders, bookings,
// erasure requests or pings, where the delivery id and the version live, how
// to read the canonical fields, and which JSON paths of its payload hold
// personal data (PII). Presets decode; they never verify signatures (package
// webhook does) and never decide what leaves (package pipeline does).
//
// Customer identity is decoded into Event.Customer only so that privacy
// operators can mask or pseudonymise it; nothing in this package logs or
// formats it.
package platform
