include "root" {
  path = find_in_parent_folders("root.hcl")
}

terraform {
  source = "../../../modules/argocd"
}

dependency "k3s" {
  config_path = "../k3s"
  mock_outputs = {
    kubeconfig_path = "/dev/null"
  }
}

inputs = {
  kubeconfig_path = dependency.k3s.outputs.kubeconfig_path
}
