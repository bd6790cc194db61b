package gsheetstest

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"
)

// The Drive API v3, as far as sharing a spreadsheet needs it: a Google
// spreadsheet is a Drive file, and people get access to it through Drive
// permissions. The server answers under DrivePath:
//
//	POST /drive/v3/files                       files.create (a Google spreadsheet only)
//	GET  /drive/v3/files/{fileId}              files.get
//	GET  /drive/v3/files/{fileId}/permissions  permissions.list
//	POST /drive/v3/files/{fileId}/permissions  permissions.create
//
// The files are the server's spreadsheets, whichever API made them. Drive
// requests count against no Sheets quota and take no latency or fault.

// DrivePath is where the server answers the Drive API: give
// option.WithEndpoint(srv.URL() + DrivePath[1:]) to the real Drive client,
// or use DriveService.
const DrivePath = "/drive/v3/"

// Method names of the Drive API, as Stats.Requests counts them.
const (
	MethodDriveFilesCreate       = "drive.files.create"
	MethodDriveFilesGet          = "drive.files.get"
	MethodDrivePermissionsList   = "drive.permissions.list"
	MethodDrivePermissionsCreate = "drive.permissions.create"
)

// spreadsheetMimeType is the MIME type of a Google spreadsheet in Drive.
const spreadsheetMimeType = "application/vnd.google-apps.spreadsheet"

// Permission is one grant of access to a file, as permissions.create made
// it, with what Drive would have emailed.
type Permission struct {
	ID    string // the grantee's, the same on every file, as in Drive
	Type  string // user or group
	Role  string // reader, commenter or writer
	Email string
	// Notified says Drive sent the grantee a notification email (the
	// sendNotificationEmail parameter, true unless said); EmailMessage
	// is the message it carried.
	Notified     bool
	EmailMessage string
}

// driveState is the Drive side of the server: the permissions of each file.
type driveState struct {
	mu    sync.Mutex
	perms map[string][]*Permission // file id → permissions, in grant order
}

// DriveService returns the real Drive client pointed at the server, without
// authentication. opts are added after the server's own options.
func (s *Server) DriveService(ctx context.Context, opts ...option.ClientOption) (*drive.Service, error) {
	if s.ts == nil {
		return nil, fmt.Errorf("gsheetstest: server is not listening; use Start")
	}
	base := []option.ClientOption{option.WithEndpoint(s.ts.URL + DrivePath), option.WithoutAuthentication()}
	return drive.NewService(ctx, append(base, opts...)...)
}

// Permissions returns the permissions of a file (a spreadsheet), in the
// order they were granted; ErrNotFound for an unknown file.
func (s *Server) Permissions(fileID string) ([]Permission, error) {
	if !s.exists(fileID) {
		return nil, fmt.Errorf("file %q: %w", fileID, ErrNotFound)
	}
	s.drive.mu.Lock()
	defer s.drive.mu.Unlock()
	var out []Permission
	for _, p := range s.drive.perms[fileID] {
		out = append(out, *p)
	}
	return out, nil
}

func (s *Server) exists(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.books[id] != nil
}

// serveDrive answers a request under DrivePath; it reports false for any
// other path.
func (s *Server) serveDrive(w http.ResponseWriter, r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, DrivePath)
	if !ok {
		return false
	}
	segs := strings.Split(rest, "/")
	var method string
	var h func(*http.Request, []string) (any, *driveError)
	switch {
	case len(segs) == 1 && segs[0] == "files" && r.Method == http.MethodPost:
		method, h = MethodDriveFilesCreate, s.driveCreateFile
	case len(segs) == 2 && segs[0] == "files" && r.Method == http.MethodGet:
		method, h = MethodDriveFilesGet, s.driveGetFile
	case len(segs) == 3 && segs[0] == "files" && segs[2] == "permissions" && r.Method == http.MethodGet:
		method, h = MethodDrivePermissionsList, s.driveListPermissions
	case len(segs) == 3 && segs[0] == "files" && segs[2] == "permissions" && r.Method == http.MethodPost:
		method, h = MethodDrivePermissionsCreate, s.driveCreatePermission
	default:
		writeDriveError(w, &driveError{code: http.StatusNotImplemented, reason: "notImplemented",
			message: fmt.Sprintf("gsheetstest: Drive %s %s is not implemented", r.Method, r.URL.Path)})
		return true
	}
	s.count(func(st *Stats) { st.Requests[method]++ })
	resp, err := h(r, segs)
	if err != nil {
		writeDriveError(w, err)
		return true
	}
	fields := r.URL.Query().Get("fields")
	if fields == "" {
		fields = defaultDriveFields[method]
	}
	writeJSON(w, resp, fields)
	return true
}

// defaultDriveFields are the fields Drive v3 answers when the request
// names none: a permission's email address, notably, only when asked for.
var defaultDriveFields = map[string]string{
	MethodDriveFilesCreate:       "kind,id,name,mimeType",
	MethodDriveFilesGet:          "kind,id,name,mimeType",
	MethodDrivePermissionsList:   "kind,permissions(kind,id,type,role)",
	MethodDrivePermissionsCreate: "kind,id,type,role",
}

// driveFile is a file's JSON in Drive v3.
type driveFile struct {
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	MimeType string `json:"mimeType"`
}

// drivePermission is a permission's JSON in Drive v3.
type drivePermission struct {
	Kind         string `json:"kind"`
	ID           string `json:"id"`
	Type         string `json:"type"`
	Role         string `json:"role"`
	EmailAddress string `json:"emailAddress,omitempty"`
}

func (p *Permission) json() drivePermission {
	return drivePermission{Kind: "drive#permission", ID: p.ID, Type: p.Type, Role: p.Role, EmailAddress: p.Email}
}

// driveCreateFile is files.create of a Google spreadsheet without content:
// a new spreadsheet of one tab, Sheet1, titled with the file's name.
func (s *Server) driveCreateFile(r *http.Request, _ []string) (any, *driveError) {
	var f drive.File
	if err := decodeDrive(r, &f); err != nil {
		return nil, err
	}
	if f.MimeType != spreadsheetMimeType {
		return nil, &driveError{code: http.StatusNotImplemented, reason: "notImplemented",
			message: fmt.Sprintf("gsheetstest: files.create of mimeType %q is not implemented; only %s", f.MimeType, spreadsheetMimeType)}
	}
	if len(f.Parents) > 0 {
		return nil, &driveError{code: http.StatusNotImplemented, reason: "notImplemented", message: "gsheetstest: files.create with parents is not implemented"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, err := s.create(&sheets.SpreadsheetProperties{Title: f.Name}, nil, false)
	if err != nil {
		return nil, &driveError{code: http.StatusBadRequest, reason: "badRequest", message: err.Error()}
	}
	return driveFile{Kind: "drive#file", ID: ss.id, Name: ss.props.Title, MimeType: spreadsheetMimeType}, nil
}

// driveGetFile is files.get of a spreadsheet's metadata.
func (s *Server) driveGetFile(_ *http.Request, segs []string) (any, *driveError) {
	id := segs[1]
	s.mu.RLock()
	defer s.mu.RUnlock()
	ss := s.books[id]
	if ss == nil {
		return nil, errFileNotFound(id)
	}
	return driveFile{Kind: "drive#file", ID: id, Name: ss.props.Title, MimeType: spreadsheetMimeType}, nil
}

// driveListPermissions is permissions.list, on one page.
func (s *Server) driveListPermissions(_ *http.Request, segs []string) (any, *driveError) {
	id := segs[1]
	if !s.exists(id) {
		return nil, errFileNotFound(id)
	}
	s.drive.mu.Lock()
	defer s.drive.mu.Unlock()
	list := []drivePermission{}
	for _, p := range s.drive.perms[id] {
		list = append(list, p.json())
	}
	return map[string]any{"kind": "drive#permissionList", "permissions": list}, nil
}

// driveRoles are the roles a permission may have; permissions.create
// grants those of sharedRoles (the others concern ownership and shared
// drives, which the server does not model).
var (
	driveRoles  = []string{"owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"}
	sharedRoles = []string{"writer", "commenter", "reader"}
)

// driveCreatePermission is permissions.create for a user or a group. A
// grantee who has a permission on the file keeps it, with the new role:
// Drive has one permission per grantee and file.
func (s *Server) driveCreatePermission(r *http.Request, segs []string) (any, *driveError) {
	id := segs[1]
	q := r.URL.Query()
	notify := true
	if v := q.Get("sendNotificationEmail"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, invalidDrive("sendNotificationEmail", fmt.Sprintf("Invalid value '%s'. Values must match the following regular expression: '(?i)(true|false)'", v))
		}
		notify = b
	}
	var p drive.Permission
	if err := decodeDrive(r, &p); err != nil {
		return nil, err
	}
	if !s.exists(id) {
		return nil, errFileNotFound(id)
	}
	switch {
	case p.Type == "":
		return nil, &driveError{code: http.StatusBadRequest, reason: "required", message: "The permission type field is required.", location: "permission.type", locationType: "other"}
	case p.Type == "domain" || p.Type == "anyone":
		return nil, &driveError{code: http.StatusNotImplemented, reason: "notImplemented", message: "gsheetstest: permissions of type " + p.Type + " are not implemented"}
	case p.Type != "user" && p.Type != "group":
		return nil, invalidDrive("permission.type", "The permission type is invalid.")
	case p.Role == "":
		return nil, &driveError{code: http.StatusBadRequest, reason: "required", message: "The permission role field is required.", location: "permission.role", locationType: "other"}
	case !slices.Contains(driveRoles, p.Role):
		return nil, invalidDrive("permission.role", "The permission role is invalid.")
	case p.Role == "owner" && q.Get("transferOwnership") != "true":
		return nil, &driveError{code: http.StatusForbidden, reason: "forbidden", message: "The transferOwnership parameter must be enabled when the permission role is 'owner'.", location: "transferOwnership", locationType: "parameter"}
	case !slices.Contains(sharedRoles, p.Role):
		return nil, &driveError{code: http.StatusNotImplemented, reason: "notImplemented", message: "gsheetstest: the role " + p.Role + " is not implemented"}
	case p.EmailAddress == "":
		return nil, &driveError{code: http.StatusBadRequest, reason: "required", message: "The permission emailAddress field is required for a permission of type " + p.Type + ".", location: "permission.emailAddress", locationType: "other"}
	case !strings.Contains(p.EmailAddress, "@"):
		return nil, &driveError{code: http.StatusBadRequest, reason: "invalidSharingRequest", message: "Bad Request. User message: \"No account matches the email address.\""}
	}
	email := strings.ToLower(p.EmailAddress)
	s.drive.mu.Lock()
	defer s.drive.mu.Unlock()
	if s.drive.perms == nil {
		s.drive.perms = map[string][]*Permission{}
	}
	for _, old := range s.drive.perms[id] {
		if old.Email == email {
			old.Role = p.Role
			return old.json(), nil
		}
	}
	perm := &Permission{ID: granteeID(email), Type: p.Type, Role: p.Role, Email: email, Notified: notify}
	if notify {
		perm.EmailMessage = q.Get("emailMessage")
	}
	s.drive.perms[id] = append(s.drive.perms[id], perm)
	return perm.json(), nil
}

// granteeID is a grantee's permission id: Drive gives a user the same id on
// every file.
func granteeID(email string) string {
	h := fnv.New64a()
	h.Write([]byte(email))
	return strconv.FormatUint(h.Sum64()>>1, 10)
}

// decodeDrive reads a JSON request body into v, refusing unknown fields.
func decodeDrive(r *http.Request, v any) *driveError {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &driveError{code: http.StatusBadRequest, reason: "parseError", message: "Parse Error"}
	}
	return nil
}

// driveError is an error in Drive v3's shape: the "errors" list of the
// older Google APIs, with a domain, a reason and a location.
type driveError struct {
	code                   int
	reason, message        string
	location, locationType string
}

func errFileNotFound(id string) *driveError {
	return &driveError{code: http.StatusNotFound, reason: "notFound", message: "File not found: " + id + ".", location: "fileId", locationType: "parameter"}
}

func invalidDrive(location, message string) *driveError {
	return &driveError{code: http.StatusBadRequest, reason: "invalid", message: message, location: location, locationType: "parameter"}
}

func writeDriveError(w http.ResponseWriter, e *driveError) {
	type item struct {
		Domain       string `json:"domain"`
		Reason       string `json:"reason"`
		Message      string `json:"message"`
		LocationType string `json:"locationType,omitempty"`
		Location     string `json:"location,omitempty"`
	}
	body := map[string]any{"error": map[string]any{
		"code": e.code, "message": e.message,
		"errors": []item{{Domain: "global", Reason: e.reason, Message: e.message, LocationType: e.locationType, Location: e.location}},
	}}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.code)
	_ = json.NewEncoder(w).Encode(body)
}
