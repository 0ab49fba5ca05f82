/**
 * Finds the optional properties of the public API's options types, and whether
 * each accepts `undefined`: callers compiling with `exactOptionalPropertyTypes`
 * cannot pass it otherwise (`token: process.env.HF_TOKEN` is TS2379 there).
 *
 * "Options types" are the object types reachable from a parameter of something an
 * entry point exports (functions, and the constructors and public methods of
 * classes), following properties, unions, intersections and arrays, but not into
 * callbacks (their parameters are outputs) or class instances.
 */
import { resolve } from "node:path";
import ts from "typescript";

export interface OptionalProperty {
  /** "TypeName.property", e.g. "HubFilesOptions.token". */
  name: string;
  /** "src/…:line". */
  where: string;
  /** Whether its declared type includes `undefined` (or is `any`/`unknown`). */
  acceptsUndefined: boolean;
}

/** Every optional property of the public options types, found from the entry points (paths relative to `root`). */
export function publicOptionalProperties(root: string, entryPoints: readonly string[]): OptionalProperty[] {
  root = resolve(root);
  const program = ts.createProgram(
    entryPoints.map((entry) => `${root}/${entry}`),
    { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, exactOptionalPropertyTypes: true, skipLibCheck: true, noEmit: true, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], types: ["node"] },
  );
  const checker = program.getTypeChecker();
  const ours = (node: ts.Node) => node.getSourceFile().fileName.startsWith(`${root}/src/`);
  const seen = new Set<ts.Type>();
  const found = new Map<string, OptionalProperty>();

  const visitSignature = (signature: ts.Signature, at: ts.Node) => {
    for (const parameter of signature.getParameters()) visitType(checker.getTypeOfSymbolAtLocation(parameter, at));
  };

  const visitType = (type: ts.Type): void => {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) return type.types.forEach(visitType);
    if (checker.isArrayType(type) || checker.isTupleType(type)) return checker.getTypeArguments(type as ts.TypeReference).forEach(visitType);
    if (!(type.flags & ts.TypeFlags.Object) || type.getCallSignatures().length > 0) return;
    const declaration = (type.aliasSymbol ?? type.getSymbol())?.declarations?.[0];
    if (declaration === undefined || !ours(declaration) || ts.isClassDeclaration(declaration)) return;
    for (const property of checker.getPropertiesOfType(type)) {
      const node = property.valueDeclaration;
      if (node === undefined || !ts.isPropertySignature(node) || !ours(node)) continue;
      if (node.questionToken !== undefined) {
        const owner = (node.parent as ts.InterfaceDeclaration).name?.getText() ?? checker.typeToString(type);
        const { line } = node.getSourceFile().getLineAndCharacterOfPosition(node.getStart());
        const name = `${owner}.${property.getName()}`;
        const where = `${node.getSourceFile().fileName.slice(root.length + 1)}:${line + 1}`;
        found.set(`${where} ${name}`, { name, where, acceptsUndefined: acceptsUndefined(node) });
      }
      visitType(checker.getTypeOfSymbol(property));
    }
  };

  const acceptsUndefined = (node: ts.PropertySignature): boolean =>
    node.type !== undefined && unionMembers(checker.getTypeFromTypeNode(node.type)).some((t) => (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0);

  for (const entry of entryPoints) {
    const file = program.getSourceFile(`${root}/${entry}`)!;
    for (let symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(file)!)) {
      if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const declaration = symbol.declarations?.[0];
      if (declaration === undefined) continue;
      const type = checker.getTypeOfSymbolAtLocation(symbol, declaration);
      for (const signature of type.getCallSignatures()) visitSignature(signature, declaration);
      if (!(symbol.flags & ts.SymbolFlags.Class)) continue;
      for (const signature of type.getConstructSignatures()) visitSignature(signature, declaration);
      const methodsOf = (owner: ts.Type) =>
        checker.getPropertiesOfType(owner).filter((m) => m.flags & ts.SymbolFlags.Method && !m.getName().startsWith("#") && !(ts.getCombinedModifierFlags(m.valueDeclaration as ts.Declaration) & ts.ModifierFlags.Private));
      for (const method of [...methodsOf(type), ...methodsOf(checker.getDeclaredTypeOfSymbol(symbol))]) {
        for (const signature of checker.getTypeOfSymbolAtLocation(method, declaration).getCallSignatures()) visitSignature(signature, declaration);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function unionMembers(type: ts.Type): readonly ts.Type[] {
  return type.isUnion() ? type.types : [type];
}
