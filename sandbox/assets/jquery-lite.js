// A small local stand-in for the jQuery the real BMS pages load: the selector function and
// the methods page scripts and userscripts commonly use, $.cookie, $.ajax and $.fn for
// plugins (bootstrap-lite adds .modal). Not jQuery; nothing is fetched from the internet.
(function (window, document) {
  "use strict";

  function Collection(elements) {
    this.length = elements.length;
    for (var i = 0; i < elements.length; i += 1) {
      this[i] = elements[i];
    }
  }

  function $(selector, context) {
    if (typeof selector === "function") {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { selector($); });
      } else {
        selector($);
      }
      return new Collection([]);
    }
    if (selector instanceof Collection) {
      return selector;
    }
    if (!selector) {
      return new Collection([]);
    }
    if (typeof selector !== "string") {
      return new Collection(selector.nodeType || selector === window ? [selector] : Array.prototype.slice.call(selector));
    }
    var root = context ? $(context)[0] : document;
    return new Collection(root ? Array.prototype.slice.call(root.querySelectorAll(selector)) : []);
  }

  var fn = Collection.prototype;
  $.fn = fn;
  fn.jquery = "3.6.0-sandbox";

  fn.each = function (callback) {
    for (var i = 0; i < this.length; i += 1) {
      callback.call(this[i], i, this[i]);
    }
    return this;
  };
  fn.get = function (index) {
    return index === undefined ? Array.prototype.slice.call(this) : this[index];
  };
  fn.first = function () {
    return new Collection(this.length ? [this[0]] : []);
  };
  fn.find = function (selector) {
    var found = [];
    this.each(function () {
      found = found.concat(Array.prototype.slice.call(this.querySelectorAll(selector)));
    });
    return new Collection(found);
  };
  fn.closest = function (selector) {
    var found = [];
    this.each(function () {
      var match = this.closest(selector);
      if (match && found.indexOf(match) < 0) {
        found.push(match);
      }
    });
    return new Collection(found);
  };
  fn.parent = function () {
    var found = [];
    this.each(function () {
      if (this.parentElement && found.indexOf(this.parentElement) < 0) {
        found.push(this.parentElement);
      }
    });
    return new Collection(found);
  };
  fn.next = function () {
    var found = [];
    this.each(function () {
      if (this.nextElementSibling) {
        found.push(this.nextElementSibling);
      }
    });
    return new Collection(found);
  };
  fn.text = function (value) {
    if (value === undefined) {
      return this.length ? this[0].textContent : "";
    }
    return this.each(function () { this.textContent = value; });
  };
  fn.val = function (value) {
    if (value === undefined) {
      return this.length ? this[0].value : undefined;
    }
    return this.each(function () { this.value = value; });
  };
  fn.attr = function (name, value) {
    if (value === undefined) {
      return this.length ? this[0].getAttribute(name) : undefined;
    }
    return this.each(function () { this.setAttribute(name, value); });
  };
  fn.addClass = function (names) {
    return this.each(function () { this.classList.add.apply(this.classList, names.split(/\s+/).filter(Boolean)); });
  };
  fn.removeClass = function (names) {
    return this.each(function () { this.classList.remove.apply(this.classList, names.split(/\s+/).filter(Boolean)); });
  };
  fn.toggleClass = function (name, state) {
    return this.each(function () { this.classList.toggle(name, state); });
  };
  fn.hasClass = function (name) {
    for (var i = 0; i < this.length; i += 1) {
      if (this[i].classList.contains(name)) {
        return true;
      }
    }
    return false;
  };
  fn.show = function () {
    return this.each(function () { this.hidden = false; this.style.display = ""; });
  };
  fn.hide = function () {
    return this.each(function () { this.style.display = "none"; });
  };
  fn.append = function (child) {
    return this.each(function () { this.append(child instanceof Collection ? child[0] : child); });
  };
  fn.prepend = function (child) {
    return this.each(function () { this.prepend(child instanceof Collection ? child[0] : child); });
  };
  fn.remove = function () {
    return this.each(function () { this.remove(); });
  };
  fn.on = function (type, selector, handler) {
    if (typeof selector === "function") {
      handler = selector;
      selector = null;
    }
    return this.each(function () {
      var element = this;
      element.addEventListener(type, function (event) {
        if (!selector) {
          return handler.call(element, event);
        }
        var match = event.target instanceof Element ? event.target.closest(selector) : null;
        if (match && element.contains(match)) {
          return handler.call(match, event);
        }
        return undefined;
      });
    });
  };
  fn.trigger = function (type) {
    return this.each(function () { this.dispatchEvent(new CustomEvent(type, { bubbles: true })); });
  };
  fn.click = function (handler) {
    return handler ? this.on("click", handler) : this.each(function () { this.click(); });
  };

  $.cookie = function (name) {
    var pairs = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < pairs.length; i += 1) {
      var index = pairs[i].indexOf("=");
      if (decodeURIComponent(pairs[i].slice(0, index)) === name) {
        return decodeURIComponent(pairs[i].slice(index + 1));
      }
    }
    return undefined;
  };

  // $.ajax on fetch, with the callback and .done/.fail shapes scripts expect.
  $.ajax = function (options) {
    var headers = Object.assign({}, options.headers || {});
    if (options.contentType) {
      headers["Content-Type"] = options.contentType;
    }
    var request = fetch(options.url, {
      method: options.type || options.method || "GET",
      headers: headers,
      body: options.data === undefined ? undefined : options.data,
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (text) {
        var xhr = {
          status: response.status,
          responseText: text,
          getResponseHeader: function (name) { return response.headers.get(name); }
        };
        var data = text;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (error) {
          data = text;
        }
        if (!response.ok) {
          throw xhr;
        }
        return { data: data, xhr: xhr };
      });
    });
    var promise = request.then(function (result) {
      if (options.success) {
        options.success(result.data, "success", result.xhr);
      }
      return result.data;
    }, function (xhr) {
      if (options.error) {
        options.error(xhr, "error");
      }
      throw xhr;
    });
    promise.done = function (callback) { promise.then(callback, function () {}); return promise; };
    promise.fail = function (callback) { promise.then(null, callback); return promise; };
    return promise;
  };
  $.getJSON = function (url, success) {
    return $.ajax({ url: url, success: success });
  };

  window.jQuery = window.$ = $;
})(window, document);
