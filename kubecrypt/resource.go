package kubecrypt

import "strings"

// groupResource is a resource as written in the configuration: "secrets" and "secrets." are
// {"", "secrets"}, "*." is {"", "*"}, "*.*" is {"*", "*"}, "deployments.apps" is {"apps",
// "deployments"} (as schema.ParseGroupResource splits them).
type groupResource struct {
	group, resource string
}

func parseGroupResource(s string) groupResource {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return groupResource{group: s[i+1:], resource: s[:i]}
	}
	return groupResource{resource: s}
}

func (gr groupResource) String() string {
	if gr.group == "" && gr.resource == "*" {
		return "*."
	}
	if gr.group == "" {
		return gr.resource
	}
	return gr.resource + "." + gr.group
}

// storedResource is the resource an etcd key belongs to, guessed from the path alone.
type storedResource struct {
	groupResource
	groupKnown bool
}

// resourceOfKey takes the second path element of key as the resource (/registry/secrets/ns/n is
// "secrets"). An element with a dot is a group, as for custom resources stored at
// /registry/<group>/<resource>/...; otherwise the group is unknown, since built-in groups such
// as apps are stored at /registry/<resource>/... too.
func resourceOfKey(key string) storedResource {
	parts := strings.Split(strings.TrimPrefix(key, "/"), "/")
	if len(parts) < 2 {
		return storedResource{}
	}
	if strings.Contains(parts[1], ".") && len(parts) > 2 {
		return storedResource{groupResource{group: parts[1], resource: parts[2]}, true}
	}
	return storedResource{groupResource: groupResource{resource: parts[1]}}
}

// Match levels, most specific first, as kube-apiserver picks a resource's transformers:
// exact group/resource, then *.<group>, then *.* (config.go transformerFromOverrides).
const (
	matchExact = iota
	matchGroup
	matchAny
	matchNone
)

// match tells how gr of the configuration covers r. With the group unknown, a named resource
// matches in any group, and *. (the core group) matches: secrets and configmaps are core.
func (r storedResource) match(gr groupResource) int {
	switch {
	case r.resource == "":
		return matchNone
	case gr.group == "*" && gr.resource == "*":
		return matchAny
	case gr.resource == "*" && gr.group == r.group:
		return matchGroup
	case gr.resource == r.resource && (!r.groupKnown || gr.group == r.group):
		return matchExact
	}
	return matchNone
}
