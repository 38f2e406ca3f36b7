package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// connFlags are the connection flags, which mean what the fields of
// hotredis.Options mean.
type connFlags struct {
	url, addrs, master, user, password string
	sentinelUser, sentinelPassword     string
	db                                 int
	dbSet                              bool // db was given, over the URL's
	tls, tlsInsecure                   bool
	ca                                 string
}

// options turns the flags into go-redis options: the URL first, the
// other flags over it.
func (f connFlags) options() (*redis.UniversalOptions, error) {
	o := &redis.UniversalOptions{}
	if f.url != "" {
		u, err := redis.ParseURL(f.url)
		if err != nil {
			return nil, fmt.Errorf("bad --url (or REDIS_URL): %v", err)
		}
		o.Addrs, o.Username, o.Password, o.DB, o.TLSConfig = []string{u.Addr}, u.Username, u.Password, u.DB, u.TLSConfig
	}
	if f.addrs != "" {
		o.Addrs = nil
		for _, a := range strings.Split(f.addrs, ",") {
			if a = strings.TrimSpace(a); a != "" {
				o.Addrs = append(o.Addrs, a)
			}
		}
		if len(o.Addrs) == 0 {
			return nil, errors.New("--addrs lists no address")
		}
	}
	if len(o.Addrs) == 0 {
		o.Addrs = []string{"localhost:6379"}
	}
	if f.user != "" {
		o.Username = f.user
	}
	if f.password != "" {
		o.Password = f.password
	}
	if f.dbSet {
		o.DB = f.db
	}
	if f.tls || f.tlsInsecure || f.ca != "" {
		if o.TLSConfig == nil {
			o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		if f.tlsInsecure {
			o.TLSConfig.InsecureSkipVerify = true
		}
	}
	if f.ca != "" {
		pem, err := os.ReadFile(f.ca)
		if err != nil {
			return nil, fmt.Errorf("--ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca: no PEM certificate in %s", f.ca)
		}
		o.TLSConfig.RootCAs = pool
	}
	if f.master != "" {
		o.MasterName, o.SentinelUsername, o.SentinelPassword = f.master, f.sentinelUser, f.sentinelPassword
	} else if f.sentinelUser != "" || f.sentinelPassword != "" {
		return nil, errors.New("--sentinel-user and --sentinel-password need --master")
	}
	return o, nil
}

// connect reaches Redis as o says: through sentinels when a master name
// is given, a Cluster when several addresses are, or when the one server
// given reports that it is a Cluster node; else that server.
func connect(ctx context.Context, o *redis.UniversalOptions) (redis.UniversalClient, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	where := strings.Join(o.Addrs, ",")
	var c redis.UniversalClient
	switch {
	case o.MasterName != "":
		c = redis.NewFailoverClient(o.Failover())
		where = fmt.Sprintf("master %q via sentinels %s", o.MasterName, where)
	case len(o.Addrs) > 1:
		c = redis.NewClusterClient(o.Cluster())
	default:
		one := redis.NewClient(o.Simple())
		info, err := one.Info(ctx, "cluster").Result()
		var rerr redis.Error
		if err != nil && !errors.As(err, &rerr) {
			one.Close()
			return nil, fmt.Errorf("connect to %s: %w", where, err)
		}
		if strings.Contains(info, "cluster_enabled:1") {
			one.Close()
			c = redis.NewClusterClient(o.Cluster())
		} else {
			c = one
		}
	}
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("connect to %s: %w", where, err)
	}
	return c, nil
}
