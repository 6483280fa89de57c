// Package main only pins, for `go mod tidy`, the packages the Makefile builds from
// k8s.io/kubernetes: kube-apiserver (via its app package) and kubectl.
package main

import (
	_ "k8s.io/component-base/cli"
	_ "k8s.io/kubectl/pkg/cmd"
	_ "k8s.io/kubectl/pkg/cmd/util"
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {}
