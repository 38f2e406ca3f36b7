package hotredis

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"github.com/hotredis/hotredis/internal/pyfmt"
)

// A Codec turns values of T into the text stored in Redis and back.
// Decode must return an error, not a zero value, for text it cannot read.
type Codec[T any] interface {
	// Encode returns the text stored for v, or an error for a value it
	// cannot store.
	Encode(v T) (string, error)
	// Decode returns the value the stored text s stands for, or an error
	// (never a zero value) for text it cannot read.
	Decode(s string) (T, error)
}

// DefaultCodec returns the codec objects of element type T use unless
// WithCodec says otherwise. It stores values the way HOT Redis does, so
// Python and Go programs can share keys:
//
//   - string and []byte: the bytes themselves
//   - integer kinds: decimal ("-42")
//   - float kinds: Python's repr ("3.0", "0.1", "1e-07", "inf")
//   - bool: Python's str ("True", "False"); reading also accepts
//     "true", "false", "1" and "0"
//   - types implementing encoding.TextMarshaler, on T or on *T (with *T
//     implementing TextUnmarshaler): that text (big.Int: "12345")
//   - types implementing encoding.BinaryMarshaler likewise: those bytes
//   - anything else: JSON, with the methods of *T too
//
// Named types follow their underlying kind (type Celsius float64 is stored
// as a float) unless they implement one of the marshaler interfaces.
func DefaultCodec[T any]() Codec[T] {
	var zero T
	t := reflect.TypeOf(&zero).Elem()
	switch {
	case reflect.PointerTo(t).Implements(textMarshaler) && reflect.PointerTo(t).Implements(textUnmarshaler):
		return textCodec[T]{}
	case reflect.PointerTo(t).Implements(binaryMarshaler) && reflect.PointerTo(t).Implements(binaryUnmarshaler):
		return binaryCodec[T]{}
	}
	switch t.Kind() {
	case reflect.String:
		return kindCodec[T]{t: t, enc: func(v reflect.Value) string { return v.String() },
			dec: func(s string, v reflect.Value) error { v.SetString(s); return nil }}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return kindCodec[T]{t: t, enc: func(v reflect.Value) string { return string(v.Bytes()) },
				dec: func(s string, v reflect.Value) error { v.SetBytes([]byte(s)); return nil }}
		}
	case reflect.Bool:
		return kindCodec[T]{t: t, enc: func(v reflect.Value) string { return pyfmt.Bool(v.Bool()) },
			dec: func(s string, v reflect.Value) error {
				b, err := pyfmt.ParseBool(s)
				v.SetBool(b)
				return err
			}}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return kindCodec[T]{t: t, enc: func(v reflect.Value) string { return strconv.FormatInt(v.Int(), 10) },
			dec: func(s string, v reflect.Value) error {
				n, err := pyfmt.ParseInt(s, bits)
				v.SetInt(n)
				return err
			}}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		bits := t.Bits()
		return kindCodec[T]{t: t, enc: func(v reflect.Value) string { return strconv.FormatUint(v.Uint(), 10) },
			dec: func(s string, v reflect.Value) error {
				n, err := pyfmt.ParseUint(s, bits)
				v.SetUint(n)
				return err
			}}
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return kindCodec[T]{t: t, enc: func(v reflect.Value) string {
			if bits == 32 {
				return pyfmt.Float32(float32(v.Float()))
			}
			return pyfmt.Float(v.Float())
		}, dec: func(s string, v reflect.Value) error {
			f, err := pyfmt.ParseFloat(s, bits)
			v.SetFloat(f)
			return err
		}}
	}
	return JSONCodec[T]()
}

var (
	textMarshaler     = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshaler   = reflect.TypeFor[encoding.TextUnmarshaler]()
	binaryMarshaler   = reflect.TypeFor[encoding.BinaryMarshaler]()
	binaryUnmarshaler = reflect.TypeFor[encoding.BinaryUnmarshaler]()
)

// kindCodec handles the built-in kinds through reflection, so named types
// (type ID string) get the same text as their underlying type. The common
// unnamed types skip reflection.
type kindCodec[T any] struct {
	t   reflect.Type
	enc func(reflect.Value) string
	dec func(string, reflect.Value) error
}

func (c kindCodec[T]) Encode(v T) (string, error) {
	// A switch on &v, not on v: boxing v in an interface would allocate.
	switch p := any(&v).(type) {
	case *string:
		return *p, nil
	case *[]byte:
		return string(*p), nil
	case *int64:
		return strconv.FormatInt(*p, 10), nil
	case *int:
		return strconv.Itoa(*p), nil
	}
	return c.encodeReflect(v), nil
}

// encodeReflect is Encode's general case, apart so that reflection's use
// of &v does not move v to the heap on the common paths.
func (c kindCodec[T]) encodeReflect(v T) string {
	return c.enc(reflect.ValueOf(&v).Elem())
}

func (c kindCodec[T]) Decode(s string) (T, error) {
	var v T
	switch p := any(&v).(type) {
	case *string:
		*p = s
		return v, nil
	case *[]byte:
		*p = []byte(s)
		return v, nil
	case *int64: // as the reflect path's dec, without its allocation
		n, err := pyfmt.ParseInt(s, 64)
		if err != nil {
			return v, err
		}
		*p = n
		return v, nil
	case *int:
		n, err := pyfmt.ParseInt(s, strconv.IntSize)
		if err != nil {
			return v, err
		}
		*p = int(n)
		return v, nil
	case *float64:
		f, err := pyfmt.ParseFloat(s, 64)
		if err != nil {
			return v, err
		}
		*p = f
		return v, nil
	}
	return c.decodeReflect(s)
}

// decodeReflect is Decode's general case, apart for the reason of
// encodeReflect.
func (c kindCodec[T]) decodeReflect(s string) (T, error) {
	var v T
	if err := c.dec(s, reflect.ValueOf(&v).Elem()); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

type textCodec[T any] struct{}

// Encode uses the method of T, or else of *T (as big.Int's): a method
// set of *T holds T's.
func (textCodec[T]) Encode(v T) (string, error) {
	b, err := any(&v).(encoding.TextMarshaler).MarshalText()
	return string(b), err
}

func (textCodec[T]) Decode(s string) (T, error) {
	var v T
	err := any(&v).(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	return v, err
}

type binaryCodec[T any] struct{}

func (binaryCodec[T]) Encode(v T) (string, error) {
	b, err := any(&v).(encoding.BinaryMarshaler).MarshalBinary() // (as textCodec's)
	return string(b), err
}

func (binaryCodec[T]) Decode(s string) (T, error) {
	var v T
	err := any(&v).(encoding.BinaryUnmarshaler).UnmarshalBinary([]byte(s))
	return v, err
}

// JSONCodec returns a codec that stores values as JSON.
func JSONCodec[T any]() Codec[T] { return jsonCodec[T]{} }

type jsonCodec[T any] struct{}

// Encode marshals &v, so that a MarshalJSON of *T is used (big.Rat's, say):
// the same JSON as v's otherwise.
func (jsonCodec[T]) Encode(v T) (string, error) {
	b, err := json.Marshal(&v)
	return string(b), err
}

func (jsonCodec[T]) Decode(s string) (T, error) {
	var v T
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}

// typeName names T for error messages.
func typeName[T any]() string {
	var zero T
	return fmt.Sprintf("%T", &zero)[1:]
}
