# Installs a pinned K3s on one server over SSH and fetches its kubeconfig.
terraform {
  required_version = ">= 1.6"
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "3.2.4"
    }
  }
}

variable "environment" {
  type = string
}

variable "repo_root" {
  type = string
}

variable "server_host" {
  description = "Address of the K3s server (never committed: pass TF_VAR_server_host)."
  type        = string
}

variable "ssh_user" {
  type    = string
  default = "ubuntu"
}

variable "ssh_private_key_path" {
  type    = string
  default = "~/.ssh/id_ed25519"
}

variable "k3s_version" {
  description = "Pinned K3s release; matches cluster.kubernetes_version in specs/."
  type        = string
  default     = "v1.34.2+k3s1"
}

locals {
  kubeconfig_path = pathexpand("~/.kube/streamflow-${var.environment}.yaml")
}

resource "null_resource" "k3s" {
  triggers = {
    host    = var.server_host
    version = var.k3s_version
  }

  connection {
    type        = "ssh"
    host        = var.server_host
    user        = var.ssh_user
    private_key = file(pathexpand(var.ssh_private_key_path))
  }

  # Traefik and servicelb are disabled: UIs are reached by port-forward only.
  provisioner "remote-exec" {
    inline = [
      "curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION='${var.k3s_version}' sh -s - server --disable traefik --disable servicelb --write-kubeconfig-mode 0600 --secrets-encryption",
      "sudo k3s kubectl wait --for=condition=Ready node --all --timeout=300s",
    ]
  }

  provisioner "local-exec" {
    command = "ssh -i ${pathexpand(var.ssh_private_key_path)} ${var.ssh_user}@${var.server_host} sudo cat /etc/rancher/k3s/k3s.yaml | sed 's/127.0.0.1/${var.server_host}/' > ${local.kubeconfig_path} && chmod 600 ${local.kubeconfig_path}"
  }
}

output "kubeconfig_path" {
  value = local.kubeconfig_path
}
