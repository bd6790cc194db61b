// Package secretmanagertest is an in-memory Secret Manager: a gRPC server
// implementing the generated SecretManagerService interface, for pointing
// the real cloud.google.com/go/secretmanager client at in tests (like
// pstest for Pub/Sub).
//
// It keeps secrets and their versions, lists versions newest first with
// the filter "state:ENABLED", serves the "latest" alias, checks payload
// checksums, and can be told to deny a secret to the caller. What it does
// not model (IAM policies, replication, rotation schedules, locations)
// answers Unimplemented.
//
//	srv := secretmanagertest.NewServer(t)
//	srv.AddVersion("my-project", "shopify-webhook-secret", "s3cret")
//	client, err := secretmanager.NewClient(ctx, srv.ClientOptions()...)
package secretmanagertest

import (
	"context"
	"hash/crc32"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Server is an in-memory Secret Manager listening on a loopback port.
type Server struct {
	secretmanagerpb.UnimplementedSecretManagerServiceServer

	// Addr is the address the server listens on, for option.WithEndpoint.
	Addr string

	grpc *grpc.Server

	mu      sync.Mutex
	secrets map[string]*secret // by full name: projects/P/secrets/S
	denied  map[string]bool    // full secret names the caller may not use
	calls   map[string]int     // by method name, e.g. "AccessSecretVersion"
	faults  map[string]codes.Code
	clock   time.Time // create_time of the next version
}

type secret struct {
	pb       *secretmanagerpb.Secret
	versions []*version // oldest first; version n is versions[n-1]
}

type version struct {
	pb   *secretmanagerpb.SecretVersion
	data []byte
}

// TB is the part of testing.TB that NewServer needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// NewServer starts a server and stops it when the test ends.
func NewServer(t TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatalf("secretmanagertest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server on an ephemeral loopback port.
func Start() (*Server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Addr:    lis.Addr().String(),
		grpc:    grpc.NewServer(),
		secrets: map[string]*secret{},
		denied:  map[string]bool{},
		calls:   map[string]int{},
		faults:  map[string]codes.Code{},
		// A fixed start keeps create times, and so the order of versions,
		// deterministic.
		clock: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	secretmanagerpb.RegisterSecretManagerServiceServer(s.grpc, s)
	go func() { _ = s.grpc.Serve(lis) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.grpc.Stop() }

// ClientOptions point a client at the server, without TLS or credentials.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(s.Addr),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
		option.WithoutAuthentication(),
	}
}

// SecretName returns the full name of a secret.
func SecretName(project, secret string) string {
	return "projects/" + project + "/secrets/" + secret
}

// AddSecret creates a secret without versions, as Terraform does. It does
// nothing if the secret exists.
func (s *Server) AddSecret(project, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.create(SecretName(project, name))
}

func (s *Server) create(full string) *secret {
	if sec, ok := s.secrets[full]; ok {
		return sec
	}
	sec := &secret{pb: &secretmanagerpb.Secret{Name: full, CreateTime: timestamppb.New(s.clock)}}
	s.secrets[full] = sec
	return sec
}

// AddVersion adds an enabled version to a secret, creating the secret if
// needed, and returns the version's full name.
func (s *Server) AddVersion(project, name, value string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.add(s.create(SecretName(project, name)), []byte(value)).pb.Name
}

func (s *Server) add(sec *secret, data []byte) *version {
	s.clock = s.clock.Add(time.Minute)
	v := &version{
		pb: &secretmanagerpb.SecretVersion{
			Name:       sec.pb.Name + "/versions/" + strconv.Itoa(len(sec.versions)+1),
			CreateTime: timestamppb.New(s.clock),
			State:      secretmanagerpb.SecretVersion_ENABLED,
		},
		data: slices.Clone(data),
	}
	sec.versions = append(sec.versions, v)
	return v
}

// SetState sets the state of a version, given its full name, as
// disabling, enabling or destroying it would.
func (s *Server) SetState(versionName string, state secretmanagerpb.SecretVersion_State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.version(versionName)
	if err != nil {
		return err
	}
	s.setState(v, state)
	return nil
}

func (s *Server) setState(v *version, state secretmanagerpb.SecretVersion_State) {
	v.pb.State = state
	if state == secretmanagerpb.SecretVersion_DESTROYED {
		v.data = nil
		v.pb.DestroyTime = timestamppb.New(s.clock)
	}
}

// Deny makes every call on a secret fail with PermissionDenied, as when
// the caller has no role on it; Deny(..., false) lifts it.
func (s *Server) Deny(project, name string, denied bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[SecretName(project, name)] = denied
}

// Calls returns how many times a method was called, e.g.
// Calls("AccessSecretVersion").
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Value returns the data of a version, for assertions.
func (s *Server) Value(versionName string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.version(versionName)
	if err != nil {
		return nil, err
	}
	return slices.Clone(v.data), nil
}

var (
	secretRE  = regexp.MustCompile(`^projects/[^/]+/secrets/[A-Za-z0-9_-]{1,255}$`)
	versionRE = regexp.MustCompile(`^(projects/[^/]+/secrets/[A-Za-z0-9_-]{1,255})/versions/([^/]+)$`)
)

// secret finds a secret by full name; the caller holds mu.
func (s *Server) secret(full string) (*secret, error) {
	if !secretRE.MatchString(full) {
		return nil, status.Errorf(codes.InvalidArgument, "invalid resource name %q", full)
	}
	if s.denied[full] {
		// Google's wording: a caller without permission cannot tell whether
		// the secret exists.
		return nil, status.Errorf(codes.PermissionDenied, "Permission denied on resource %s (or it may not exist).", full)
	}
	sec, ok := s.secrets[full]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Secret [%s] not found or has no versions.", full)
	}
	return sec, nil
}

// version finds a version by full name, resolving "latest"; the caller
// holds mu.
func (s *Server) version(full string) (*version, error) {
	m := versionRE.FindStringSubmatch(full)
	if m == nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid resource name %q", full)
	}
	sec, err := s.secret(m[1])
	if err != nil {
		return nil, err
	}
	if m[2] == "latest" {
		for i := len(sec.versions) - 1; i >= 0; i-- {
			if sec.versions[i].pb.State == secretmanagerpb.SecretVersion_ENABLED {
				return sec.versions[i], nil
			}
		}
		return nil, status.Errorf(codes.NotFound, "Secret [%s] not found or has no versions.", m[1])
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n < 1 || n > len(sec.versions) {
		return nil, status.Errorf(codes.NotFound, "Secret Version [%s] not found.", full)
	}
	return sec.versions[n-1], nil
}

// begin counts a call and takes the lock, unless a fault is set for the
// method: then it answers the fault, without the lock.
func (s *Server) begin(method string) error {
	s.mu.Lock()
	s.calls[method]++
	if c, ok := s.faults[method]; ok && c != codes.OK {
		s.mu.Unlock()
		return status.Errorf(c, "secretmanagertest: injected %s", c)
	}
	return nil
}

// Fail makes every call of a method (e.g. "ListSecretVersions") answer
// the given code, as an outage would; Fail(method, codes.OK) ends it.
func (s *Server) Fail(method string, code codes.Code) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = code
}

// CreateSecret implements the RPC.
func (s *Server) CreateSecret(_ context.Context, req *secretmanagerpb.CreateSecretRequest) (*secretmanagerpb.Secret, error) {
	if err := s.begin("CreateSecret"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	full := req.GetParent() + "/secrets/" + req.GetSecretId()
	if !secretRE.MatchString(full) {
		return nil, status.Errorf(codes.InvalidArgument, "invalid secret id %q", req.GetSecretId())
	}
	if _, ok := s.secrets[full]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "Secret [%s] already exists.", full)
	}
	return s.create(full).pb, nil
}

// GetSecret implements the RPC.
func (s *Server) GetSecret(_ context.Context, req *secretmanagerpb.GetSecretRequest) (*secretmanagerpb.Secret, error) {
	if err := s.begin("GetSecret"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	sec, err := s.secret(req.GetName())
	if err != nil {
		return nil, err
	}
	return sec.pb, nil
}

// AddSecretVersion implements the RPC.
func (s *Server) AddSecretVersion(_ context.Context, req *secretmanagerpb.AddSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	if err := s.begin("AddSecretVersion"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	sec, err := s.secret(req.GetParent())
	if err != nil {
		return nil, err
	}
	p := req.GetPayload()
	if len(p.GetData()) > 64<<10 {
		return nil, status.Error(codes.InvalidArgument, "Secret Payload cannot be larger than 64KiB.")
	}
	if p.DataCrc32C != nil && int64(crc32.Checksum(p.GetData(), castagnoli)) != p.GetDataCrc32C() {
		return nil, status.Error(codes.InvalidArgument, "Checksum mismatch: the data does not match data_crc32c.")
	}
	return s.add(sec, p.GetData()).pb, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ListSecretVersions implements the RPC: newest first, with the filter
// "state:ENABLED" (or DISABLED, DESTROYED) and page tokens.
func (s *Server) ListSecretVersions(_ context.Context, req *secretmanagerpb.ListSecretVersionsRequest) (*secretmanagerpb.ListSecretVersionsResponse, error) {
	if err := s.begin("ListSecretVersions"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	sec, err := s.secret(req.GetParent())
	if err != nil {
		return nil, err
	}
	want := secretmanagerpb.SecretVersion_STATE_UNSPECIFIED
	if f := strings.TrimSpace(req.GetFilter()); f != "" {
		st, ok := strings.CutPrefix(f, "state:")
		v, known := secretmanagerpb.SecretVersion_State_value[st]
		if !ok || !known {
			return nil, status.Errorf(codes.InvalidArgument, "secretmanagertest: unsupported filter %q", f)
		}
		want = secretmanagerpb.SecretVersion_State(v)
	}
	var all []*secretmanagerpb.SecretVersion
	for i := len(sec.versions) - 1; i >= 0; i-- {
		if v := sec.versions[i]; want == secretmanagerpb.SecretVersion_STATE_UNSPECIFIED || v.pb.State == want {
			all = append(all, v.pb)
		}
	}
	start := 0
	if tok := req.GetPageToken(); tok != "" {
		if start, err = strconv.Atoi(tok); err != nil || start < 0 || start > len(all) {
			return nil, status.Errorf(codes.InvalidArgument, "invalid page token %q", tok)
		}
	}
	size := int(req.GetPageSize())
	if size <= 0 || size > 25000 {
		size = 25000
	}
	end := min(start+size, len(all))
	resp := &secretmanagerpb.ListSecretVersionsResponse{Versions: all[start:end], TotalSize: int32(len(all))}
	if end < len(all) {
		resp.NextPageToken = strconv.Itoa(end)
	}
	return resp, nil
}

// GetSecretVersion implements the RPC.
func (s *Server) GetSecretVersion(_ context.Context, req *secretmanagerpb.GetSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	if err := s.begin("GetSecretVersion"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	v, err := s.version(req.GetName())
	if err != nil {
		return nil, err
	}
	return v.pb, nil
}

// AccessSecretVersion implements the RPC; a version that is not enabled
// answers FailedPrecondition, as Google's does.
func (s *Server) AccessSecretVersion(_ context.Context, req *secretmanagerpb.AccessSecretVersionRequest) (*secretmanagerpb.AccessSecretVersionResponse, error) {
	if err := s.begin("AccessSecretVersion"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	v, err := s.version(req.GetName())
	if err != nil {
		return nil, err
	}
	if v.pb.State != secretmanagerpb.SecretVersion_ENABLED {
		return nil, status.Errorf(codes.FailedPrecondition, "Secret Version [%s] is in %s state.", v.pb.Name, v.pb.State)
	}
	sum := int64(crc32.Checksum(v.data, castagnoli))
	return &secretmanagerpb.AccessSecretVersionResponse{
		Name:    v.pb.Name,
		Payload: &secretmanagerpb.SecretPayload{Data: slices.Clone(v.data), DataCrc32C: &sum},
	}, nil
}

func (s *Server) transition(method, name string, state secretmanagerpb.SecretVersion_State) (*secretmanagerpb.SecretVersion, error) {
	if err := s.begin(method); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	v, err := s.version(name)
	if err != nil {
		return nil, err
	}
	if v.pb.State == secretmanagerpb.SecretVersion_DESTROYED {
		return nil, status.Errorf(codes.FailedPrecondition, "Secret Version [%s] is destroyed.", v.pb.Name)
	}
	s.setState(v, state)
	return v.pb, nil
}

// DisableSecretVersion implements the RPC.
func (s *Server) DisableSecretVersion(_ context.Context, req *secretmanagerpb.DisableSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return s.transition("DisableSecretVersion", req.GetName(), secretmanagerpb.SecretVersion_DISABLED)
}

// EnableSecretVersion implements the RPC.
func (s *Server) EnableSecretVersion(_ context.Context, req *secretmanagerpb.EnableSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return s.transition("EnableSecretVersion", req.GetName(), secretmanagerpb.SecretVersion_ENABLED)
}

// DestroySecretVersion implements the RPC.
func (s *Server) DestroySecretVersion(_ context.Context, req *secretmanagerpb.DestroySecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return s.transition("DestroySecretVersion", req.GetName(), secretmanagerpb.SecretVersion_DESTROYED)
}

// DeleteSecret implements the RPC.
func (s *Server) DeleteSecret(_ context.Context, req *secretmanagerpb.DeleteSecretRequest) (*emptypb.Empty, error) {
	if err := s.begin("DeleteSecret"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if _, err := s.secret(req.GetName()); err != nil {
		return nil, err
	}
	delete(s.secrets, req.GetName())
	return &emptypb.Empty{}, nil
}
