"""StreamFlow manifest generator: typed specs in, Kustomize + ArgoCD manifests out."""
