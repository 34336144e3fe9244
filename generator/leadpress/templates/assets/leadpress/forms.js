/* Leadpress forms: attribution, inline checks, idempotent submission with a retry queue.
 *
 * Every page records where the visitor came from (UTM parameters, referral code, ad click
 * ids, referrer, landing page), first touch and last touch, in localStorage. A form sends
 * them as hidden fields. Without this script the form is a plain POST and still works.
 */
(function () {
  "use strict";

  var STORE = "leadpress.attribution";
  var QUEUE = "leadpress.queue";
  var DEFAULT_DAYS = 90;
  var CAMPAIGN_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "ref", "gclid", "gbraid", "wbraid", "fbclid", "msclkid", "ttclid", "li_fat_id"];
  var EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]{2,}$/;
  var PHONE = /^\+?[0-9 ()./-]{5,40}$/;

  function read(key, fallback) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }

  function write(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) { /* private mode or full storage: attribution is best effort */ }
  }

  function externalReferrer() {
    if (!document.referrer) return "";
    try {
      return new URL(document.referrer).host === location.host ? "" : document.referrer;
    } catch (error) {
      return "";
    }
  }

  /* Record this visit as a touch when it carries campaign parameters or comes from
     another site; the first touch is kept until it expires. */
  function recordTouch(days) {
    var params = new URLSearchParams(location.search);
    var touch = {};
    var tagged = false;
    CAMPAIGN_KEYS.forEach(function (key) {
      var value = params.get(key);
      if (value) {
        touch[key] = value.slice(0, 500);
        tagged = true;
      }
    });
    var referrer = externalReferrer();
    var now = Date.now();
    var stored = read(STORE, {});
    var lifetime = (days || DEFAULT_DAYS) * 86400000;
    if (stored.first && now - stored.first.at > lifetime) stored = {};
    if (!tagged && !referrer && stored.first) return stored;
    touch.referrer = referrer.slice(0, 500);
    touch.landing_path = location.pathname.slice(0, 500);
    touch.time = new Date(now).toISOString();
    touch.at = now;
    if (!stored.first) stored.first = touch;
    stored.last = touch;
    write(STORE, stored);
    return stored;
  }

  function attributionFields() {
    var stored = read(STORE, {});
    var fields = {};
    ["first", "last"].forEach(function (which) {
      var touch = stored[which] || {};
      Object.keys(touch).forEach(function (key) {
        if (key !== "at") fields[which + "_" + key] = String(touch[key]);
      });
    });
    return fields;
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function labelOf(form, input) {
    var label = form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.replace("*", "").trim() : input.name;
  }

  function problemWith(form, input, messages) {
    var value = input.type === "checkbox" ? (input.checked ? "on" : "") : input.value.trim();
    var label = labelOf(form, input);
    var say = function (key, extra) {
      return (messages[key] || key).replace("{label}", label).replace("{n}", extra || "");
    };
    if (!value) return input.required ? say("required") : "";
    if (input.maxLength > 0 && value.length > input.maxLength) return say("too_long", input.maxLength);
    if (input.minLength > 0 && value.length < input.minLength) return say("too_short", input.minLength);
    if (input.type === "email" && !EMAIL.test(value)) return say("email");
    if (input.type === "tel" && !PHONE.test(value)) return say("phone");
    return "";
  }

  function showError(form, name, message) {
    var input = form.elements[name];
    if (!input || !input.id) return;
    var box = document.getElementById(input.id + "-error");
    input.setAttribute("aria-invalid", message ? "true" : "false");
    if (box) {
      box.textContent = message;
      box.hidden = !message;
    }
  }

  function checkAll(form, messages) {
    var first = null;
    Array.prototype.forEach.call(form.querySelectorAll("[data-field] input, [data-field] select, [data-field] textarea"), function (input) {
      var message = problemWith(form, input, messages);
      showError(form, input.name, message);
      if (message && !first) first = input;
    });
    return first;
  }

  function payload(form) {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      data[key] = String(value);
    });
    var attribution = attributionFields();
    Object.keys(attribution).forEach(function (key) {
      data[key] = attribution[key];
    });
    return data;
  }

  function send(item) {
    return fetch(item.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "Idempotency-Key": item.key },
      body: JSON.stringify(item.body),
      credentials: "omit",
      keepalive: true
    });
  }

  /* Submissions that could not be sent wait in localStorage and are sent again, with the
     same idempotency key, so a retry never makes a second lead. */
  function retryQueue() {
    var queue = read(QUEUE, []);
    if (!queue.length) return;
    var item = queue[0];
    if (item.next && item.next > Date.now()) {
      window.setTimeout(retryQueue, item.next - Date.now());
      return;
    }
    send(item).then(function (response) {
      if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
        write(QUEUE, read(QUEUE, []).filter(function (other) { return other.key !== item.key; }));
        retryQueue();
      } else {
        throw new Error("retry later");
      }
    }).catch(function () {
      var current = read(QUEUE, []);
      current.forEach(function (other) {
        if (other.key === item.key) {
          other.tries = (other.tries || 0) + 1;
          other.next = Date.now() + Math.min(600000, 2000 * Math.pow(2, other.tries));
        }
      });
      write(QUEUE, current);
      window.setTimeout(retryQueue, Math.min(600000, 2000 * Math.pow(2, item.tries || 1)));
    });
  }

  function setUp(form) {
    var messages = {};
    try {
      messages = JSON.parse(form.getAttribute("data-messages") || "{}");
    } catch (error) { /* the browser's own texts will do */ }
    var status = form.querySelector(".lp-form__status");
    var summary = form.querySelector(".lp-form__summary");
    form.noValidate = true;
    form.elements.page_path.value = location.pathname;
    form.elements.form_started_at.value = String(Date.now());
    form.elements.idempotency_key.value = newKey();

    form.addEventListener("focusout", function (event) {
      var input = event.target;
      if (input.name && input.closest("[data-field]")) {
        showError(form, input.name, problemWith(form, input, messages));
      }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var invalid = checkAll(form, messages);
      if (invalid) {
        invalid.focus();
        return;
      }
      var button = form.querySelector("button[type=submit]");
      var item = { url: form.action, key: form.elements.idempotency_key.value, body: payload(form) };
      button.disabled = true;
      status.textContent = "…";
      send(item).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { status: response.status, body: body };
        });
      }).then(function (answer) {
        button.disabled = false;
        if (answer.status >= 200 && answer.status < 300) {
          form.elements.idempotency_key.value = newKey();
          var page = form.getAttribute("data-thank-you");
          if (page) {
            location.assign(page);
            return;
          }
          var message = answer.body.thank_you && answer.body.thank_you.message;
          form.reset();
          status.textContent = message || "✓";
          return;
        }
        if (answer.status === 422 && answer.body.fields) {
          var first = null;
          Object.keys(answer.body.fields).forEach(function (name) {
            showError(form, name, answer.body.fields[name]);
            if (!first && form.elements[name] && form.elements[name].focus) first = form.elements[name];
          });
          if (first) first.focus();
          status.textContent = "";
          return;
        }
        if (answer.status >= 500 || answer.status === 429) throw new Error("retry later");
        summary.textContent = answer.body.message || answer.body.error || String(answer.status);
        summary.hidden = false;
        summary.focus();
        status.textContent = "";
      }).catch(function () {
        var queue = read(QUEUE, []).filter(function (other) { return other.key !== item.key; });
        queue.push(item);
        write(QUEUE, queue);
        button.disabled = false;
        status.textContent = messages.queued || "Saved; we will send it as soon as the connection is back.";
        form.elements.idempotency_key.value = newKey();
        window.setTimeout(retryQueue, 2000);
      });
    });
  }

  var forms = document.querySelectorAll("form.lp-form[data-leadpress-form]");
  var days = forms.length ? Number(forms[0].getAttribute("data-attribution-days")) : 0;
  recordTouch(days || DEFAULT_DAYS);
  Array.prototype.forEach.call(forms, setUp);
  window.addEventListener("online", retryQueue);
  retryQueue();
})();
