/**
 * Registers a custom element, tolerating a second registration: a CMS may paste the script tag
 * twice, or two bundles may each carry the element. The first definition stays; a different
 * class under the same name is reported once, since it may be another version.
 */
export function defineElement(name: string, constructor: CustomElementConstructor): void {
  const existing = customElements.get(name);
  if (!existing) {
    customElements.define(name, constructor);
    return;
  }
  if (existing !== constructor) {
    console.warn(`<${name}> is already defined by another copy of its script; that definition is kept.`);
  }
}
