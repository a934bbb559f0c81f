// A TypeDoc plugin: every exported function and class, and every interface with methods (what a
// user calls or implements), must show an `@example`. TypeDoc's own `notDocumented` check only
// asks for some comment; this one makes a missing example a warning, which `treatWarningsAsErrors`
// turns into a failed `pnpm run docs`.

import { Application, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Comment | undefined} comment */
const hasExample = (comment) => comment?.blockTags.some((tag) => tag.tag === '@example') === true;

/** @param {import('typedoc').DeclarationReflection} reflection */
function needsExample(reflection) {
  if (reflection.kindOf(ReflectionKind.Function | ReflectionKind.Class)) return true;
  return (
    reflection.kindOf(ReflectionKind.Interface) &&
    (reflection.children ?? []).some((child) => child.kindOf(ReflectionKind.Method))
  );
}

/** @param {import('typedoc').DeclarationReflection} reflection */
function shown(reflection) {
  if (hasExample(reflection.comment)) return true;
  return (reflection.signatures ?? []).some((signature) => hasExample(signature.comment));
}

/** @param {Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const kinds = ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Interface;
    for (const reflection of project.getReflectionsByKind(kinds)) {
      const declaration = /** @type {import('typedoc').DeclarationReflection} */ (reflection);
      if (needsExample(declaration) && !shown(declaration)) {
        app.logger.warn(
          `${declaration.getFriendlyFullName()} (${ReflectionKind[declaration.kind]}) has no @example`,
        );
      }
    }
  });
}
