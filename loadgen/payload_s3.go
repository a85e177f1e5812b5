package loadgen

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// GetObjectAPI is the part of *s3.Client that LoadS3Payloads uses.
type GetObjectAPI interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// ParseS3URI splits s3://bucket/key.
func ParseS3URI(uri string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", fmt.Errorf("S3 URI %q: want s3://BUCKET/KEY", uri)
	}
	return bucket, key, nil
}

// LoadS3Payloads reads the object at uri (s3://bucket/key) once, as
// LoadPayloads reads a file: a key ending in .jsonl or .ndjson holds one
// payload per non-blank line, any other key is one payload.
func LoadS3Payloads(ctx context.Context, api GetObjectAPI, uri string) (*Payloads, error) {
	bucket, key, err := ParseS3URI(uri)
	if err != nil {
		return nil, err
	}
	out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("payload: get object %s from bucket %s: %w", key, bucket, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("payload: read object %s from bucket %s: %w", key, bucket, err)
	}
	if len(body) == 0 {
		return nil, fmt.Errorf("payload %s: %w (0 bytes)", uri, ErrEmptyPayload)
	}
	ext := strings.ToLower(path.Ext(key))
	if ext == ".jsonl" || ext == ".ndjson" {
		return splitLines(uri, body)
	}
	return NewPayloads(uri, NewPayload(path.Base(key), body))
}

// LoadS3Prompts reads a JSON Lines prompt dataset (see LoadPrompts) from
// the S3 object at uri, once; an object larger than MaxPromptFileBytes is
// refused.
func LoadS3Prompts(ctx context.Context, api GetObjectAPI, uri string) ([]Prompt, error) {
	bucket, key, err := ParseS3URI(uri)
	if err != nil {
		return nil, err
	}
	out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("prompts: get object %s from bucket %s: %w", key, bucket, err)
	}
	defer out.Body.Close()
	data, err := readCapped(out.Body, uri)
	if err != nil {
		return nil, err
	}
	return ParsePrompts(uri, data)
}
