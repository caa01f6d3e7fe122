package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

var durationType = reflect.TypeFor[Duration]()

// decode reads data strictly into c. Keys that are absent or null keep the value c already has.
// It also returns the paths whose values could not be decoded and so kept their defaults, "" for
// the whole document; an unknown or duplicate key leaves its neighbours decoded.
func decode(data []byte, c *Config) (Errors, []string) {
	var errs Errors
	root, err := readDocument(data)
	if err != nil {
		errs.add("", "%v", err)
		return errs, []string{""}
	}
	if root == nil {
		return nil, nil
	}
	d := decoder{errs: &errs, failed: new([]string)}
	d.mapping(root, reflect.ValueOf(c).Elem(), "")
	return errs, *d.failed
}

// readDocument parses exactly one YAML document; nil means the file holds none. A panic of the
// YAML parser on malformed input is returned as an error.
func readDocument(data []byte) (n *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("parse YAML: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, fmt.Errorf("line %d: a second YAML document; the config is one document", next.Line)
	} else if !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

type decoder struct {
	errs   *Errors
	failed *[]string // paths that kept their defaults
}

// fail reports that the value at path ("" for the root) could not be decoded.
func (d decoder) fail(path string, n *yaml.Node, format string, args ...any) {
	d.errs.add(orRoot(path), "%s (line %d)", fmt.Sprintf(format, args...), n.Line)
	*d.failed = append(*d.failed, path)
}

// mapping decodes a YAML mapping into the struct v.
func (d decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.fail(path, n, "expected a mapping, got %s", kindName(n))
		return
	}
	fields := fieldsByKey(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := deref(n.Content[i]), n.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			d.fail(path, kn, "expected a key, got %s", kindName(kn))
			continue
		}
		key := kn.Value
		kp := join(path, key)
		if line, dup := seen[key]; dup {
			d.errs.add(kp, "duplicate key at line %d, first set at line %d", kn.Line, line)
			continue
		}
		seen[key] = kn.Line
		idx, ok := fields[key]
		if !ok {
			d.errs.add(kp, "unknown key at line %d%s", kn.Line, suggest(key, v.Type()))
			continue
		}
		d.value(vn, v.Field(idx), kp)
	}
}

// value decodes n into v; a null leaves v as it is.
func (d decoder) value(n *yaml.Node, v reflect.Value, path string) {
	n = deref(n)
	if isNull(n) {
		return
	}
	switch {
	case v.Type() == durationType:
		dur, err := parseDuration(n)
		if err != nil {
			d.fail(path, n, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(dur))
	case v.Kind() == reflect.Struct:
		d.mapping(n, v, path)
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct:
		p := reflect.New(v.Type().Elem())
		d.mapping(n, p.Elem(), path)
		v.Set(p)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		d.structList(n, v, path)
	default:
		d.leaf(n, v, path)
	}
}

func (d decoder) structList(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(path, n, "expected a list, got %s", kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, en := range n.Content {
		ep := fmt.Sprintf("%s[%d]", path, i)
		if isNull(deref(en)) {
			d.fail(ep, deref(en), "empty entry")
			continue
		}
		d.mapping(en, s.Index(i), ep)
	}
	v.Set(s)
}

// leaf decodes a scalar or a list of scalars.
func (d decoder) leaf(n *yaml.Node, v reflect.Value, path string) {
	want := typeName(v.Type())
	if v.Kind() == reflect.Slice {
		if n.Kind != yaml.SequenceNode {
			d.fail(path, n, "expected %s, got %s", want, kindName(n))
			return
		}
		for i, en := range n.Content {
			if en = deref(en); en.Kind != yaml.ScalarNode {
				d.fail(fmt.Sprintf("%s[%d]", path, i), en, "expected a string, got %s", kindName(en))
				return
			}
		}
	} else if n.Kind != yaml.ScalarNode {
		d.fail(path, n, "expected %s, got %s", want, kindName(n))
		return
	}
	if v.Kind() == reflect.Int && n.ShortTag() != "!!int" {
		d.fail(path, n, "expected %s, got %q", want, n.Value)
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.fail(path, n, "expected %s, got %q", want, n.Value)
	}
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// fieldsByKey maps each yaml key of struct t to its field index.
func fieldsByKey(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		m[yamlKey(t.Field(i))] = i
	}
	return m
}

func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "config"
	}
	return path
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

func typeName(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int:
		return "an integer"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list of strings"
	}
	return t.String()
}
