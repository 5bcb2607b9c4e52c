import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEntities, htmlToText } from './html-to-text.js';

test('links become "text (url)", blocks become lines, hidden and head content is dropped', () => {
  const html = `<html><head><title>T</title><style>p{color:red}</style></head><body>
    <div style="display:none;max-height:0">Preheader text</div>
    <!--[if mso]><table><tr><td><![endif]-->
    <h1>Merhaba Çağla</h1><p>Your cart &amp; more:<br>2 items</p>
    <ul><li>Shoes</li><li>Hat</li></ul>
    <p><a href="https://shop.example/cart?a=1&amp;b=2">Open cart</a> or <a href="https://x.io">https://x.io</a></p>
    <img src="logo.png" alt="Logo"></body></html>`;
  assert.equal(
    htmlToText(html),
    'Merhaba Çağla\n\nYour cart & more:\n2 items\n\n- Shoes\n\n- Hat\n\n' +
      'Open cart (https://shop.example/cart?a=1&b=2) or https://x.io\n\nLogo',
  );
});

test('entities decode, unknown ones stay', () => {
  assert.equal(decodeEntities('&lt;a&gt; &#231; &#xe7; &euro; &bogus;'), '<a> ç ç € &bogus;');
});
