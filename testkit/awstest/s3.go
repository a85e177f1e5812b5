package awstest

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
)

// S3 is a local Amazon S3 server for path-style GetObject (GET
// /BUCKET/KEY), with the object's CRC32 checksum header so that the SDK's
// response checksum validation runs. Unknown buckets get NoSuchBucket,
// unknown keys NoSuchKey, as S3 answers.
type S3 struct {
	// URL is http://127.0.0.1:PORT, the BaseEndpoint for an SDK client
	// with UsePathStyle.
	URL string

	srv     *httptest.Server
	mu      sync.Mutex
	objects map[string]map[string][]byte
}

// NewS3 starts a server on 127.0.0.1. Close it when done.
func NewS3() *S3 {
	s := &S3{objects: map[string]map[string][]byte{}}
	s.srv = startLoopback(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *S3) Close() { s.srv.Close() }

// Put stores an object (creating the bucket).
func (s *S3) Put(bucket, key string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.objects[bucket] == nil {
		s.objects[bucket] = map[string][]byte{}
	}
	s.objects[bucket][key] = append([]byte(nil), body...)
}

type s3Error struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string
	Message    string
	Key        string `xml:",omitempty"`
	BucketName string `xml:",omitempty"`
	RequestID  string `xml:"RequestId"`
}

func (s *S3) serve(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if r.Method != http.MethodGet || key == "" {
		writeXML(w, 405, s3Error{Code: "MethodNotAllowed", Message: "only GetObject is served", RequestID: "awstest"})
		return
	}
	s.mu.Lock()
	objs, okBucket := s.objects[bucket]
	body, okKey := objs[key]
	s.mu.Unlock()
	switch {
	case !okBucket:
		writeXML(w, 404, s3Error{Code: "NoSuchBucket", Message: "The specified bucket does not exist", BucketName: bucket, RequestID: "awstest"})
		return
	case !okKey:
		writeXML(w, 404, s3Error{Code: "NoSuchKey", Message: "The specified key does not exist.", Key: key, RequestID: "awstest"})
		return
	}
	sum := make([]byte, 4)
	binary.BigEndian.PutUint32(sum, crc32.ChecksumIEEE(body))
	w.Header().Set("x-amz-checksum-crc32", base64.StdEncoding.EncodeToString(sum))
	w.Header().Set("x-amz-checksum-type", "FULL_OBJECT")
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("ETag", `"awstest"`)
	_, _ = w.Write(body)
}
