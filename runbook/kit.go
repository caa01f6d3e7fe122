package runbook

// kitScript puts back, under the root $2 (ending in /), every file of the kit written under $1 that
// is missing there, with its mode. Missing directories are made 0755 and existing ones are left as
// they are (cp -a would give them the 0700 of the kit's). The static pod manifests go beside the
// manifests directory, /etc/kubernetes/<name>, where the steps that follow move them in place, so
// that kubelet starts nothing before its turn.
const kitScript = `cd "$1" && find . -type f | while IFS= read -r f; do ` +
	`t="$2${f#./}"; case "$t" in "$2"etc/kubernetes/manifests/*) t="$2etc/kubernetes/${t##*/}";; esac; ` +
	`[ -e "$t" ] || install -D -m "$(stat -c %a "$f")" "$f" "$t" || exit 1; done`

// KitCommand is the command that puts back what the node lost from the kit written under dir.
func KitCommand(dir string) string {
	return "sudo sh -c " + Quote(kitScript) + " sh " + Quote(dir) + " /"
}
