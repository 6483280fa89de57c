# Shared Terragrunt settings. Terragrunt bootstraps only K3s and ArgoCD; every
# platform component then arrives through ArgoCD from this repository.
locals {
  env = basename(dirname(get_terragrunt_dir()))
}

# Local state (ADR-007 of the design): one operator, no cloud bucket. State holds
# the bootstrap's generated credentials, so it is gitignored and never committed.
remote_state {
  backend = "local"
  config = {
    path = "${get_parent_terragrunt_dir()}/.state/${local.env}/${path_relative_to_include()}/terraform.tfstate"
  }
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
}

inputs = {
  environment = local.env
  repo_root   = abspath("${get_parent_terragrunt_dir()}/..")
}
