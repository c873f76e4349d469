// Gavel's service worker. The build writes it to the site root as sw.js, after one line that sets
// self.GAVEL_BUILD = {version, files}: `files` are site paths relative to the root
// ("courts/wiwb/index.html", "assets/site.3f2a9c1e0b.css"), and `version` changes whenever any
// file of the site does.
//
// - install: every listed file goes into a cache named after the version; the new worker then takes
//   over at once.
// - activate: caches of older versions (of this site only) are deleted.
// - pages and other unfingerprinted files: network first, so a rebuilt site shows when online; the
//   cached copy when offline. A folder address (/courts/wiwb/) is its index.html.
// - fingerprinted assets (assets/name.0123456789.ext): cache first; their content never changes.
// - nothing from another origin is ever handled or cached.
(function () {
  'use strict';

  var build = self.GAVEL_BUILD || { version: 'unversioned', files: [] };
  var scope = self.registration && self.registration.scope ? self.registration.scope : new URL('./', self.location.href).href;
  var scopeURL = new URL(scope);
  var PREFIX = 'gavel:' + scopeURL.pathname + ':';
  var CACHE = PREFIX + build.version;
  var FINGERPRINTED = /\/assets\/[^/]+\.[0-9a-f]{10}\.[A-Za-z0-9]+$/;

  function ours(url) {
    return url.origin === self.location.origin && url.pathname.indexOf(scopeURL.pathname) === 0;
  }

  // The cache entry for an address: no query or fragment, and a folder is its index.html.
  function cacheKey(url) {
    var u = new URL(url.href);
    u.search = '';
    u.hash = '';
    if (/\/$/.test(u.pathname)) u.pathname += 'index.html';
    return u.href;
  }

  function storable(response) {
    return response && response.status === 200 && response.type === 'basic';
  }

  // A response that followed a redirect cannot answer a navigation later: store a plain copy.
  function plain(response) {
    if (!response.redirected) return Promise.resolve(response);
    return response.blob().then(function (body) {
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    });
  }

  function put(cache, key, response) {
    return plain(response).then(function (copy) { return cache.put(key, copy); });
  }

  self.addEventListener('install', function (event) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all((build.files || []).map(function (path) {
        var url = new URL(path, scope);
        if (!ours(url)) return null;
        // A network failure fails the install, so an old complete cache is kept rather than
        // replaced by a partial one; a file the server no longer has is just skipped.
        return fetch(new Request(url.href, { cache: 'reload', credentials: 'same-origin' })).then(function (response) {
          return storable(response) ? put(cache, cacheKey(url), response) : null;
        });
      }));
    }).then(function () {
      return self.skipWaiting();
    }));
  });

  self.addEventListener('activate', function (event) {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0 && name !== CACHE;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    }));
  });

  function offlinePage() {
    var home = scope;
    var html = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline</title></head>' +
      '<body><main><h1>You are offline</h1><p>This page was not saved for offline use. ' +
      'Pages you have visited, the checklist and the home page are available: ' +
      '<a href="' + home + '">go to the home page</a>.</p></main></body></html>\n';
    return new Response(html, { status: 503, statusText: 'Offline', headers: { 'Content-Type': 'text/html; charset=utf-8' } });
  }

  function networkFirst(event, url) {
    var request = event.request;
    var key = cacheKey(url);
    return fetch(request).then(function (response) {
      if (storable(response)) {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return put(cache, key, copy); }).catch(function () {}));
      }
      return response;
    }, function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(key);
      }).then(function (hit) {
        if (hit) return hit;
        return request.mode === 'navigate' ? offlinePage() : Response.error();
      });
    });
  }

  function cacheFirst(event, url) {
    var key = cacheKey(url);
    return caches.open(CACHE).then(function (cache) {
      return cache.match(key).then(function (hit) {
        if (hit) return hit;
        return fetch(event.request).then(function (response) {
          if (storable(response)) {
            var copy = response.clone();
            event.waitUntil(put(cache, key, copy).catch(function () {}));
          }
          return response;
        });
      });
    });
  }

  self.addEventListener('fetch', function (event) {
    var request = event.request;
    if (request.method !== 'GET') return;
    var url = new URL(request.url);
    if (!ours(url)) return; // another origin, or outside this site: the browser handles it
    if (url.pathname === scopeURL.pathname + 'sw.js') return;
    if (FINGERPRINTED.test(url.pathname)) event.respondWith(cacheFirst(event, url));
    else event.respondWith(networkFirst(event, url));
  });
})();
