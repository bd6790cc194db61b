// Package pubsubtest runs queued mode on one machine, for tests, the
// local stack and the benchmark: Pub/Sub's own fake server (pstest, from
// cloud.google.com/go/pubsub/v2) reached by the real client, a Pump that
// delivers a subscription's messages to an HTTP endpoint the way Pub/Sub's
// push delivery does (the envelope, an OIDC token, acknowledgement on
// 2xx, retries with exponential backoff, dead-lettering after the most
// attempts), and the Issuer of those tokens, whose key set the writer's
// real token validator reads.
//
// pstest has no push delivery, and forgets a message that waits
// unacknowledged for ten minutes; the Pump therefore keeps every message
// it pulled leased (the client extends its deadline) while it retries it.
package pubsubtest

import (
	"context"
	"fmt"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Project is the project of the fake server's topics and subscriptions.
const Project = "safeview-local"

// Server is a running fake Pub/Sub and a client of it.
type Server struct {
	// Fake is pstest's server, for inspection (Messages); nil when the
	// server runs in another process (Connect).
	Fake *pstest.Server
	// Client is the real client, connected to the fake server.
	Client *pubsub.Client
	addr   string
}

// Start starts a fake Pub/Sub on a loopback port and connects a client.
// Other clients reach it with PUBSUB_EMULATOR_HOST set to Addr.
func Start(ctx context.Context) (*Server, error) {
	fake := pstest.NewServerWithAddress("127.0.0.1:0")
	s, err := Connect(ctx, fake.Addr)
	if err != nil {
		fake.Close()
		return nil, err
	}
	s.Fake = fake
	return s, nil
}

// Connect connects a client to a fake Pub/Sub already running at addr
// (host:port), such as one in a process of its own.
func Connect(ctx context.Context, addr string) (*Server, error) {
	c, err := pubsub.NewClient(ctx, Project, option.WithEndpoint(addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		return nil, fmt.Errorf("pubsub client: %w", err)
	}
	return &Server{Client: c, addr: addr}, nil
}

// Addr is the fake server's host:port, for PUBSUB_EMULATOR_HOST.
func (s *Server) Addr() string { return s.addr }

// Close closes the client, and the fake server if it started it.
func (s *Server) Close() {
	_ = s.Client.Close()
	if s.Fake != nil {
		_ = s.Fake.Close()
	}
}

// TopicName and SubscriptionName are the full names of an id.
func TopicName(id string) string        { return "projects/" + Project + "/topics/" + id }
func SubscriptionName(id string) string { return "projects/" + Project + "/subscriptions/" + id }

// CreateTopic creates a topic.
func (s *Server) CreateTopic(ctx context.Context, id string) error {
	_, err := s.Client.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: TopicName(id)})
	return err
}

// CreateSubscription creates a subscription of a topic, of the messages
// filter selects (Pub/Sub's filter syntax; "" for all). The push delivery
// is the Pump's: the subscription itself is pulled.
func (s *Server) CreateSubscription(ctx context.Context, id, topic, filter string) error {
	_, err := s.Client.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
		Name: SubscriptionName(id), Topic: TopicName(topic), AckDeadlineSeconds: 60, Filter: filter})
	return err
}
