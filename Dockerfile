# The loadgen container that the load-test Fargate task runs.
# Multi-stage: a static binary (CGO_ENABLED=0) built for the target
# architecture (linux/arm64 by default on Fargate, or linux/amd64), copied
# into a minimal distroless image that runs as a non-root user and needs
# no writable root filesystem.
#   docker buildx build --platform linux/arm64 -t sagesize/loadgen .
#
# The base images are pinned by tag only: no registry was reachable when
# this was written, so no digest could be checked. To pin them, resolve each
# tag's multi-architecture index digest and append it to the tag
# (golang:1.26@sha256:…, static-debian12:nonroot@sha256:…):
#   docker buildx imagetools inspect golang:1.26 --format '{{json .Manifest.Digest}}'
#   docker buildx imagetools inspect gcr.io/distroless/static-debian12:nonroot --format '{{json .Manifest.Digest}}'
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS=linux
ARG TARGETARCH=arm64
WORKDIR /src
COPY go.mod go.sum ./
COPY cmd/loadgen ./cmd/loadgen
COPY loadgen ./loadgen
COPY metrics ./metrics
COPY loadplan ./loadplan
COPY gate/criteria ./gate/criteria
COPY internal/editdist ./internal/editdist
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags='-s -w' -o /out/loadgen ./cmd/loadgen

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/loadgen /loadgen
USER nonroot:nonroot
ENTRYPOINT ["/loadgen"]
